import semver from 'semver';
import { SUITE_VERSION, selectCases } from '@hearth/conformance';

/**
 * The conformance suite versions released so far, oldest first. A certificate is accepted from the
 * current version and the two before it; add each new suite version here when it is released.
 */
export const SUITE_RELEASES: readonly string[] = ['1.0.0', SUITE_VERSION];

/** The suite versions a certificate may come from: `current` and the two releases before it. */
export function supportedSuiteVersions(current: string = SUITE_VERSION, releases: readonly string[] = SUITE_RELEASES): string[] {
  const known = [...new Set([...releases, current])].filter((v) => semver.valid(v) && semver.lte(v, current)).sort(semver.compare);
  return known.slice(-3);
}

/** The exact case IDs a certification run of `profile` executes with this package's suite version. */
export function currentCaseList(profile: string): string[] {
  return selectCases({ profile, certify: true }).cases.map((c) => c.id);
}
