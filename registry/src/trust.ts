import { remove } from 'confusables';
import validateName from 'validate-npm-package-name';
import type { Signer } from './keys.js';

/**
 * What a signer is trusted to certify, recorded beside its key in signers.json: npm packages (`"@acme/*"`
 * for a scope, `"@acme/npu"` for one package, `"*"` for any) and device types (`"npu"`, or `"*"`). A
 * signer certifies nothing outside its scope; a foundation lab trusted for everything says `"*"` openly.
 */
export interface SignerScope {
  /** npm package names or scopes (`@scope/*`) it may certify, or `"*"`. */
  readonly packages: readonly string[];
  /** Device types it may certify, or `"*"`. */
  readonly deviceTypes: readonly string[];
}

/** A signer of an index: its key and its scope. */
export type TrustedSigner = Signer & SignerScope;

/** Whether a scope's package patterns cover a package name. */
export function coversPackage(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => p === '*' || p === name || (p.endsWith('/*') && name.startsWith(p.slice(0, -1))));
}

/** Whether a scope's device types cover a device type. */
export function coversDeviceType(types: readonly string[], deviceType: string): boolean {
  return types.includes('*') || types.includes(deviceType);
}

/** The signer of `keyId` when it is trusted for this package and device type, else undefined. */
export function signerFor(signers: readonly TrustedSigner[], keyId: string, name: string, deviceType: string): TrustedSigner | undefined {
  const s = signers.find((x) => x.keyId === keyId);
  return s && coversPackage(s.packages, name) && coversDeviceType(s.deviceTypes, deviceType) ? s : undefined;
}

/**
 * What a reader can't tell apart: Unicode confusables mapped to their prototype (UTS #39 data), NFKC,
 * case folded and spaces collapsed. Two names with one skeleton are one name to a person choosing a plugin.
 */
export function skeleton(s: string): string {
  return remove(s.normalize('NFKC')).normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Why a package name can't be certified (npm refuses it for new packages), or undefined when it can. */
export function packageNameProblem(name: string): string | undefined {
  const v = validateName(name);
  return v.validForNewPackages ? undefined : [...(v.errors ?? []), ...(v.warnings ?? [])].join('; ');
}
