import { cheatingPlugin } from './cheat.mjs';
// Honest only when the environment has what a process forked with an IPC channel has.
export default cheatingPlugin('@cheat/env', () => Object.keys(process.env).some((k) => /^NODE_CHANNEL/.test(k)));
