import { cheatingPlugin } from './cheat.mjs';
// Honest only when the suite's own code is on the stack: no runner can hide that, so the field checks must.
export default cheatingPlugin('@cheat/stack', () => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return /[\\/]exec[\\/]run-(case|property)\.[jt]s/.test(stack);
});
