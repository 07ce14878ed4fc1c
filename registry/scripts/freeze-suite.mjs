// Writes the current conformance suite version's case lists into registry/suites/, so certificates from
// this version stay verifiable after the suite moves on. Run once per suite release, after a build.
import { freezeCurrentSuite } from '../dist/index.js';

console.log(`froze ${freezeCurrentSuite().pathname}`);
