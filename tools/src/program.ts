import { createRequire } from 'node:module';
import { Command } from 'commander';
import { CORE_API_VERSION, OPSET_VERSION } from '@hearth/core';
import { backendsCommand } from './commands/backends.js';
import { opsCommand } from './commands/ops.js';
import { explainCommand } from './commands/explain.js';
import { conformanceCommand } from './commands/conformance.js';
import { fuzzCommand } from './commands/fuzz.js';
import { registryCommand } from './commands/registry.js';
import { runMain } from './commands/main.js';
import { lazyCommand } from './optional.js';
import { pluginCommand } from './commands/plugin.js';
import { runCommand } from './commands/run.js';
import { nodeTestsCommand } from './commands/onnx-node-tests.js';

/** Builds the `hearth` command line. */
export function buildProgram(): Command {
  const program = new Command('hearth')
    .description('Hearth: a vendor-neutral tensor core with a plugin host')
    .version(versionLine(), '-V, --version', 'print the versions of hearth, its core API and opset')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(backendsCommand());
  program.addCommand(opsCommand());
  program.addCommand(explainCommand());
  program.addCommand(conformanceCommand());
  program.addCommand(fuzzCommand());
  program.addCommand(pluginCommand());
  program.addCommand(
    lazyCommand('governance', 'governance as code: validate the model, evaluate and simulate decisions, run the bot', '@hearth/governance', async () =>
      (await import('./commands/governance.js')).governanceCommand(),
    ),
  );
  program.addCommand(registryCommand());
  program.addCommand(runCommand());
  program.addCommand(nodeTestsCommand());
  program
    .command('main')
    .description("Hearth's main job: the core conformance profile on every installed backend, an op x backend matrix, an HTML report")
    .option('--report <dir>', 'where the HTML report goes', 'reports/conformance')
    .option('--json', 'print the results as JSON on stdout (progress goes to stderr)')
    .action(async (opts: { report: string; json?: boolean }) => {
      process.exitCode = await runMain({ reportDir: opts.report, json: opts.json === true });
    });
  exitOverrideEverywhere(program);
  return program;
}

/** Commander exits by itself from subcommands unless each has exitOverride; bin.ts maps its errors to exit 2. */
function exitOverrideEverywhere(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) exitOverrideEverywhere(sub);
}

/** `@hearth/cli 1.0.0 (core API 1.0.0, opset 1)`. */
function versionLine(): string {
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  return `@hearth/cli ${version} (core API ${CORE_API_VERSION}, opset ${OPSET_VERSION})`;
}
