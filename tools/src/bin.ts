#!/usr/bin/env node
import { writeSync } from 'node:fs';
import { CommanderError } from 'commander';
import { isHearthError } from '@hearth/core';
import { buildProgram } from './program.js';

// Exit codes (README): 0 success, 1 the command ran and found a failure, 2 bad input or a user error.
// Every other end is made non-zero with a message: an unexpected error (1), and a process that ends before
// the command finished (a plugin calling process.exit, or nothing left to wait for while a promise never
// settles; Node would exit 0 or 13 silently).
let finished = false;
process.on('exit', (code) => {
  if (finished) return;
  writeSync(2, `hearth: the command ended before it finished (${code === 13 ? 'it was left waiting on a promise that never settles' : `something called process.exit(${code})`}); a plugin may be at fault. Run it with --plugin <spec> to probe plugins in a separate process.\n`);
  process.exitCode = 1;
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (isHearthError(e) || (e as { code?: unknown })?.code?.toString().startsWith('E_')) {
    console.error(`hearth: ${(e as Error).message} [${(e as { code: string }).code}]`);
    process.exitCode = 2;
  } else {
    console.error(`hearth: unexpected error: ${(e as Error)?.stack ?? String(e)}`);
    process.exitCode = 1;
  }
}
finished = true;
// Never lose output: wait until stdout and stderr have drained (a pipe is asynchronous), then end; GPU
// runtimes can keep handles open that would otherwise keep the process alive.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((done) => (s.writableLength === 0 ? done() : s.write('', () => done())))));
process.exit(process.exitCode ?? 0);
