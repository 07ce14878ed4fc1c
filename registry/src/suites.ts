import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import semver from 'semver';
import { PROFILES, SUITE_VERSION, selectCases } from '@hearth/conformance';
import type { ProfileName } from './manifest.js';

/**
 * Where the case lists of released suite versions are kept: one `<version>.json.gz` per release, each
 * `{ "suite": version, "profiles": { name: [case IDs in run order] } }`. A certificate from an older
 * suite is checked against its own version's list, never against today's.
 */
export const SUITE_LISTS_DIR: URL = new URL('../suites/', import.meta.url);

/** The frozen case lists of one suite release. */
export interface SuiteRelease {
  /** The suite version. */
  readonly suite: string;
  /** The exact case IDs a certification run of each profile executes. */
  readonly profiles: Readonly<Record<string, readonly string[]>>;
}

const releases = new Map<string, SuiteRelease | null>();

/** The released suite versions whose case lists this package ships, oldest first. */
function shippedVersions(): string[] {
  return readdirSync(SUITE_LISTS_DIR)
    .map((f) => /^(.+)\.json\.gz$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined && semver.valid(v) !== null)
    .sort(semver.compare);
}

/**
 * The conformance suite versions released so far, oldest first: those whose case lists ship in
 * `registry/suites/`, and the current one. A certificate is accepted from the current version and the
 * two before it.
 */
export const SUITE_RELEASES: readonly string[] = [...new Set([...shippedVersions(), SUITE_VERSION])].sort(semver.compare);

/** The suite versions a certificate may come from: `current` and the two releases before it. */
export function supportedSuiteVersions(current: string = SUITE_VERSION, releaseList: readonly string[] = SUITE_RELEASES): string[] {
  const known = [...new Set([...releaseList, current])].filter((v) => semver.valid(v) && semver.lte(v, current)).sort(semver.compare);
  return known.slice(-3);
}

/** The exact case IDs a certification run of `profile` executes with this package's suite version. */
export function currentCaseList(profile: string): string[] {
  return selectCases({ profile, certify: true }).cases.map((c) => c.id);
}

/** Reads a released suite's frozen case lists, or undefined when this package ships none for `version`. */
export function releasedSuite(version: string): SuiteRelease | undefined {
  if (!releases.has(version)) {
    let release: SuiteRelease | null = null;
    if (semver.valid(version) && shippedVersions().includes(version)) {
      const file = new URL(`${version}.json.gz`, SUITE_LISTS_DIR);
      const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as SuiteRelease;
      if (parsed.suite !== version) throw new Error(`${file.pathname}#/suite: says ${parsed.suite}, expected ${version}; the package is damaged, reinstall it`);
      release = parsed;
    }
    releases.set(version, release);
  }
  return releases.get(version) ?? undefined;
}

/**
 * The exact case IDs of a certification run of `profile` under suite `version`: the frozen list of a
 * released version, or undefined when the version or profile is unknown.
 */
export function releasedCaseList(version: string, profile: string): readonly string[] | undefined {
  return releasedSuite(version)?.profiles[profile];
}

/** The profiles a certificate may name (the manifest schema's list). */
const CERTIFICATION_PROFILES: readonly ProfileName[] = ['core', 'core-partial', 'float16', 'float64', ...PROFILES.filter((p) => p.models !== undefined).map((p) => p.name as ProfileName)];

/** The current suite's case lists for every certification profile (what {@link freezeCurrentSuite} writes). */
export function currentSuiteRelease(): SuiteRelease {
  return { suite: SUITE_VERSION, profiles: Object.fromEntries(CERTIFICATION_PROFILES.map((p) => [p, currentCaseList(p)])) };
}

/** Writes the current suite version's case lists into `dir` (the registry's `suites/` folder by default). */
export function freezeCurrentSuite(dir: URL = SUITE_LISTS_DIR): URL {
  const file = new URL(`${SUITE_VERSION}.json.gz`, dir);
  writeFileSync(file, gzipSync(JSON.stringify(currentSuiteRelease()), { level: 9 }));
  return file;
}
