import { certificationStatus, type CertificationStatus, type RegistryIndex } from './index-file.js';

/** An installed plugin's certification as a registry index records it. */
export interface Standing {
  /** `certified` (a certificate stands), `expired`, `revoked`, `untrusted` (its signer is no longer trusted), or `not certified` (the index has no certificate of this version). */
  readonly status: CertificationStatus | 'not certified';
  /** Profiles with a standing certificate. */
  readonly profiles: readonly string[];
  /** Suite versions of those certificates. */
  readonly suites: readonly string[];
  /** The latest expiry among its standing certificates. */
  readonly expires?: string;
  /** One line for people, e.g. "certified core (suite 1.2.0) until 2027-12-06". */
  readonly summary: string;
}

/** The standing of `name@version` on `deviceType` (any device type when left out) in an index, at `now`. */
export function standingOf(index: RegistryIndex, name: string, version: string, deviceType?: string, now: Date = new Date()): Standing {
  const v = index.entries.find((e) => e.name === name)?.versions.find((x) => x.version === version);
  const certs = (v?.certifications ?? []).filter((c) => deviceType === undefined || c.deviceType === deviceType);
  if (!v || certs.length === 0) return { status: 'not certified', profiles: [], suites: [], summary: `not certified (no certificate of ${name}@${version} in the index)` };
  const statuses = certs.map((c) => certificationStatus(name, v, c, now, index.signers));
  const standing = certs.filter((_, i) => statuses[i] === 'certified');
  if (standing.length === 0) {
    const status = v.revoked ? 'revoked' : statuses.includes('expired') ? 'expired' : 'untrusted';
    const why = v.revoked ? `revoked on ${v.revoked.at.slice(0, 10)}: ${v.revoked.reason}` : status === 'expired' ? 'its certificates expired' : 'its signer is no longer trusted for it';
    return { status, profiles: [], suites: [], summary: `${status} (${why})` };
  }
  const profiles = [...new Set(standing.map((c) => c.profile))];
  const suites = [...new Set(standing.map((c) => c.suiteVersion))];
  const expires = standing.map((c) => c.expires).sort().pop();
  return { status: 'certified', profiles, suites, ...(expires ? { expires } : {}), summary: `certified ${profiles.join(', ')} (suite ${suites.join(', ')}) until ${expires?.slice(0, 10)}` };
}
