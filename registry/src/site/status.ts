import { certificationStatus, certifiedProfiles, installableVersion, newestVersion, type CertificationStatus, type IndexEntry } from '../index-file.js';
import type { TrustedSigner } from '../trust.js';

/** A plugin's standing as the list shows it: the version a user installing it would get, and its figures. */
export interface PluginStatus {
  /** The version `npm install` would pick among those not revoked (the highest by semver). */
  readonly version: string;
  /** certified (some certificate stands), expired, untrusted (its signer is no longer trusted) or revoked. */
  readonly status: CertificationStatus;
  /** Device types with a standing certificate (the manifest's when none stands). */
  readonly deviceTypes: readonly string[];
  /** Profiles with a standing certificate. */
  readonly profiles: readonly string[];
  /** The suite versions of its standing certificates. */
  readonly suites: readonly string[];
  /** The latest expiry among its certificates. */
  readonly expires: string | undefined;
  /** Set when the newest version by semver is revoked: that version, so the page can say so. */
  readonly newestRevoked?: string;
}

/** The standing at `now` of the version a user would install, under the index's signers. */
export function pluginStatus(entry: IndexEntry, now: Date, signers: readonly TrustedSigner[]): PluginStatus {
  const newest = newestVersion(entry);
  const shown = installableVersion(entry) ?? newest;
  const statuses = shown.certifications.map((c) => certificationStatus(entry.name, shown, c, now, signers));
  const standing = shown.certifications.filter((_, i) => statuses[i] === 'certified');
  const status: CertificationStatus = shown.revoked ? 'revoked' : standing.length > 0 ? 'certified' : statuses.includes('expired') ? 'expired' : statuses.length ? 'untrusted' : 'expired';
  return {
    version: shown.version,
    status,
    deviceTypes: standing.length ? [...new Set(standing.map((c) => c.deviceType))] : shown.deviceTypes,
    profiles: certifiedProfiles(entry.name, shown, now, signers),
    suites: [...new Set(standing.map((c) => c.suiteVersion))],
    expires: shown.certifications.map((c) => c.expires).sort().pop(),
    ...(newest.revoked && newest !== shown ? { newestRevoked: newest.version } : {}),
  };
}

/** A file name for a plugin's page. */
export function pluginSlug(name: string): string {
  return name.replace(/^@/, '').replace(/[^A-Za-z0-9._-]/g, '__');
}
