import { sha512Integrity } from './canonical.js';
import { RegistryError } from './error.js';
import { schemaProblems } from './schema.js';

/** npm's public registry: where a certified package is published, and where the bot fetches it. */
export const NPM_REGISTRY = 'https://registry.npmjs.org';

/** The npm registry to fetch published packages from: `explicit`, else `HEARTH_NPM_REGISTRY`, else npm's. */
export function npmRegistryUrl(explicit?: string): string {
  return (explicit ?? process.env['HEARTH_NPM_REGISTRY'] ?? NPM_REGISTRY).replace(/\/+$/, '');
}

/** A registry that answers nothing for this long is unreachable: the bot must terminate. */
const FETCH_TIMEOUT_MS = 60_000;

async function get(url: string, what: string): Promise<Response | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' }, redirect: 'follow', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (cause) {
    throw new RegistryError('E_REG_PACK', `could not fetch ${what} from ${url}: ${(cause as Error).message}; check the registry URL (HEARTH_NPM_REGISTRY).`, { cause });
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw new RegistryError('E_REG_PACK', `the npm registry answered HTTP ${res.status} for ${what} (${url}); try again later.`);
  return res;
}

/**
 * npm's integrity of `name@version` as published on `registry`, computed from the bytes of the tarball it
 * serves (not from the registry's own claim); undefined when that version is not published there. Throws
 * `E_REG_PACK` when the registry can't be reached or serves a malformed document.
 */
export async function publishedIntegrity(name: string, version: string, registry: string = npmRegistryUrl()): Promise<string | undefined> {
  const url = `${registry}/${name.replace('/', '%2f')}`;
  const doc = await get(url, name);
  if (!doc) return undefined;
  const data = (await doc.json()) as { versions?: Record<string, { dist: { tarball: string } }> };
  const problems = schemaProblems('npm-version', data);
  if (problems.length > 0) throw new RegistryError('E_REG_PACK', `${url}: not an npm package document: ${problems.join('; ')}`);
  const tarball = data.versions![version]?.dist.tarball;
  if (tarball === undefined) return undefined;
  const tgz = await get(tarball, `${name}@${version}'s tarball`);
  if (!tgz) throw new RegistryError('E_REG_PACK', `${tarball}: the tarball of ${name}@${version} that ${url} names is missing (HTTP 404).`);
  return sha512Integrity(Buffer.from(await tgz.arrayBuffer()));
}
