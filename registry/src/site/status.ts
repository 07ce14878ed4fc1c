import { certificationStatus, certifiedProfiles, type CertificationStatus, type IndexEntry } from '../index-file.js';

/** A plugin's standing as the list shows it: its latest version's status and certified figures. */
export interface PluginStatus {
  /** The latest version. */
  readonly version: string;
  /** certified (some certificate stands), expired, or revoked. */
  readonly status: CertificationStatus;
  /** Device types with a standing certificate (the manifest's when none stands). */
  readonly deviceTypes: readonly string[];
  /** Profiles with a standing certificate. */
  readonly profiles: readonly string[];
  /** The latest expiry among its certificates. */
  readonly expires: string | undefined;
}

/** The standing of a plugin's latest version at `now`. */
export function pluginStatus(entry: IndexEntry, now: Date): PluginStatus {
  const latest = entry.versions[entry.versions.length - 1]!;
  const standing = latest.certifications.filter((c) => certificationStatus(latest, c, now) === 'certified');
  const status: CertificationStatus = latest.revoked ? 'revoked' : standing.length > 0 ? 'certified' : 'expired';
  const expires = latest.certifications.map((c) => c.expires).sort().pop();
  return {
    version: latest.version,
    status,
    deviceTypes: standing.length ? [...new Set(standing.map((c) => c.deviceType))] : latest.deviceTypes,
    profiles: certifiedProfiles(latest, now),
    expires,
  };
}

/** A file name for a plugin's page. */
export function pluginSlug(name: string): string {
  return name.replace(/^@/, '').replace(/[^A-Za-z0-9._-]/g, '__');
}
