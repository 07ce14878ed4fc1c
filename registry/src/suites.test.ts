import { describe, expect, it } from 'vitest';
import { SUITE_VERSION } from '@hearth/conformance';
import { currentSuiteRelease, releasedSuite, SUITE_RELEASES, supportedSuiteVersions } from './suites.js';

describe('the frozen case lists of released suite versions', () => {
  it("ship the current suite version's exact lists: a change to the case list must be a new suite version", () => {
    const frozen = releasedSuite(SUITE_VERSION);
    expect(frozen, `no frozen case list for suite ${SUITE_VERSION}: run \`npm run freeze-suite -w @hearth/registry\``).toBeDefined();
    const current = currentSuiteRelease();
    for (const [profile, ids] of Object.entries(current.profiles)) {
      expect(frozen!.profiles[profile], `suite ${SUITE_VERSION}, profile ${profile}: the cases changed since the version was frozen; bump SUITE_VERSION and run \`npm run freeze-suite -w @hearth/registry\``).toEqual(ids);
    }
  });

  it('list every shipped release, oldest first, and accept the current one and the two before it', () => {
    expect(SUITE_RELEASES[0]).toBe('1.0.0');
    expect(SUITE_RELEASES.at(-1)).toBe(SUITE_VERSION);
    expect(supportedSuiteVersions('1.2.0', ['1.0.0', '1.1.0', '1.2.0'])).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    expect(supportedSuiteVersions('1.10.0', ['1.0.0', '1.2.0', '1.9.0', '1.10.0'])).toEqual(['1.2.0', '1.9.0', '1.10.0']);
    expect(releasedSuite('0.1.0')).toBeUndefined();
  });
});
