#!/usr/bin/env node
import { CommanderError } from 'commander';
import { isHearthError } from '@hearth/core';
import { buildProgram } from './program.js';

// Exit codes: 0 success, 1 the command ran and found a failure, 2 bad input or a user error.
try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (isHearthError(e) || (e as { code?: unknown })?.code?.toString().startsWith('E_')) {
    console.error(`hearth: ${(e as Error).message} [${(e as { code: string }).code}]`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
// GPU runtimes can keep handles open; the command is done.
process.exit(process.exitCode ?? 0);
