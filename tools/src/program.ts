import { Command } from 'commander';
import { backendsCommand } from './commands/backends.js';
import { opsCommand } from './commands/ops.js';
import { explainCommand } from './commands/explain.js';
import { conformanceCommand } from './commands/conformance.js';
import { registryCommand } from './commands/registry.js';
import { runMain } from './commands/main.js';
import { lazyCommand } from './optional.js';
import { pluginCommand } from './commands/plugin.js';

/** Builds the `hearth` command line. */
export function buildProgram(): Command {
  const program = new Command('hearth')
    .description('Hearth: a vendor-neutral tensor core with a plugin host')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(backendsCommand());
  program.addCommand(opsCommand());
  program.addCommand(explainCommand());
  program.addCommand(conformanceCommand());
  program.addCommand(pluginCommand());
  program.addCommand(
    lazyCommand('governance', 'governance as code: validate the model, evaluate and simulate decisions, run the bot', '@hearth/governance', async () =>
      (await import('./commands/governance.js')).governanceCommand(),
    ),
  );
  program.addCommand(registryCommand());
  program
    .command('main')
    .description("Hearth's main job: the core conformance profile on every installed backend, an op x backend matrix, an HTML report")
    .option('--report <dir>', 'where the HTML report goes', 'reports/conformance')
    .action(async (opts: { report: string }) => {
      process.exitCode = await runMain({ reportDir: opts.report });
    });
  exitOverrideEverywhere(program);
  return program;
}

/** Commander exits by itself from subcommands unless each has exitOverride; bin.ts maps its errors to exit 2. */
function exitOverrideEverywhere(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) exitOverrideEverywhere(sub);
}
