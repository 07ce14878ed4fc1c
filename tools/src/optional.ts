import { Command } from 'commander';
import { HearthError } from '@hearth/core';

/** True when `e` says that `pkg` itself (not something it imports) could not be found. */
export function isMissingPackage(e: unknown, pkg: string): boolean {
  const err = e as { code?: string; message?: string } | undefined;
  return (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') && String(err.message).includes(`'${pkg}'`);
}

/** The error for a command whose optional package is not installed: says which package and how to get it. */
export function notInstalled(pkg: string, what: string): HearthError {
  return new HearthError('E_NOT_INSTALLED', `${what} needs ${pkg}, which is not installed. Install it beside @hearth/cli: npm i -D ${pkg}`, { package: pkg });
}

/**
 * A subcommand whose code (and its heavy dependency `pkg`) is imported only when it runs, so the CLI
 * installs and starts without it. `load` imports the module that builds the real command; its options,
 * help and exit codes are the real command's.
 */
export function lazyCommand(name: string, description: string, pkg: string, load: () => Promise<Command>): Command {
  return new Command(name)
    .description(`${description} (needs ${pkg})`)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(async (args: string[], _opts: unknown, self: Command) => {
      const path = [];
      for (let c: Command | null = self; c; c = c.parent) path.unshift(c.name());
      let real: Command;
      try {
        real = await load();
      } catch (e) {
        if (isMissingPackage(e, pkg)) throw notInstalled(pkg, path.join(' '));
        throw e;
      }
      real.name(path.join(' ')).exitOverride();
      await real.parseAsync(args, { from: 'user' });
    });
}
