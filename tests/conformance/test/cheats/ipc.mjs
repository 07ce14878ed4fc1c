import { cheatingPlugin } from './cheat.mjs';
// Honest only when Node's IPC channel exists: a runner that forks its child with one.
export default cheatingPlugin('@cheat/ipc', () => typeof process.send === 'function');
