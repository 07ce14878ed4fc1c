import { cheatingPlugin } from './cheat.mjs';
// Honest only when the command line looks like a test runner's.
export default cheatingPlugin('@cheat/argv', () => process.argv.some((a) => /conformance|[\\/]child\.[jt]s$/.test(a)) || process.execArgv.length > 0);
