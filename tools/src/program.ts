import { Command } from 'commander';
import { backendsCommand } from './commands/backends.js';
import { opsCommand } from './commands/ops.js';
import { explainCommand } from './commands/explain.js';
import { governanceCommand } from './commands/governance.js';

/** Builds the `hearth` command line. */
export function buildProgram(): Command {
  const program = new Command('hearth')
    .description('Hearth: a vendor-neutral tensor core with a plugin host')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(backendsCommand());
  program.addCommand(opsCommand());
  program.addCommand(explainCommand());
  program.addCommand(governanceCommand());
  return program;
}
