/**
 * Stable codes of the errors a registry user can cause; each is documented in docs/errors.md.
 * - `E_REG_MANIFEST`: a package's `hearth` field (or the runtime manifest beside it) is invalid.
 * - `E_REG_CONFIG`: the plugin config file or `HEARTH_PLUGINS` is invalid.
 * - `E_REG_LOAD`: an allowed plugin could not be imported or exports no plugin.
 * - `E_REG_BUNDLE`: a certification bundle is missing a file or is malformed.
 * - `E_REG_VERIFY`: a bundle failed verification (the message lists every failed check).
 * - `E_REG_INDEX`: an index file is malformed, or an addition to the index is refused.
 * - `E_REG_KEY`: a signer key file is missing or not an Ed25519 key.
 * - `E_REG_PACK`: a package's integrity could not be had (`npm pack` failed, or the published tarball
 *   could not be fetched).
 * - `E_REG_GITHUB`: a submission pull request is malformed or GitHub refused a request.
 */
export type RegistryErrorCode = 'E_REG_MANIFEST' | 'E_REG_CONFIG' | 'E_REG_LOAD' | 'E_REG_BUNDLE' | 'E_REG_VERIFY' | 'E_REG_INDEX' | 'E_REG_KEY' | 'E_REG_PACK' | 'E_REG_GITHUB';

/**
 * Every error a registry user can cause. Same shape as the core's `HearthError` (an `Error` with a stable
 * `code`), so the CLI prints it without a stack trace. `path` names the file (and JSON pointer) at fault.
 */
export class RegistryError extends Error {
  /** The stable code. */
  readonly code: RegistryErrorCode;
  /** The file at fault, with `#/json/pointer` where one is known. */
  readonly path: string | undefined;

  /** Makes an error; `cause` keeps the underlying error. */
  constructor(code: RegistryErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.path = options.path;
  }
}
