import { readFileSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { NATIVE_PLATFORMS, scaffoldPlugin, writeScaffold } from '../scaffold/index.js';
import { commands } from '../scaffold/package.js';
import { planScaffold } from '../scaffold/options.js';

/** The version of this CLI, which is the Hearth release a new plugin builds against. */
function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Options of `hearth plugin init`, as parsed. */
interface InitOptions {
  device: string;
  dir?: string;
  vendor?: string;
  contact?: string;
  native?: boolean;
  platforms?: string;
}

/** `hearth plugin`: tools for plugin authors; `hearth plugin init <name> --device <type>` scaffolds a plugin package. */
export function pluginCommand(): Command {
  const plugin = new Command('plugin').description('tools for plugin authors');
  plugin
    .command('init')
    .description('write a new backend plugin package: manifest, skeleton, conformance test, certification workflow, README')
    .argument('<name>', 'the npm package name, e.g. @acme/hearth-plugin-npu')
    .requiredOption('--device <type>', 'the device type it brings, e.g. npu')
    .option('--dir <path>', 'where to write it (default: the name without its scope)')
    .option('--vendor <name>', 'who publishes it (default: the package scope)')
    .option('--contact <email|url>', 'where users report problems')
    .option('--native', 'a native plugin: a C skeleton on hearth_plugin.h with its Makefile, loaded through @hearth/plugin-native')
    .option('--platforms <list>', `with --native: the platforms to publish the library for, one package each (${Object.keys(NATIVE_PLATFORMS).join(', ')}; default linux-x64-gnu,linux-arm64-gnu)`)
    .action((name: string, opts: InitOptions) => {
      const options = {
        name,
        device: opts.device,
        ...(opts.vendor ? { vendor: opts.vendor } : {}),
        ...(opts.contact ? { contact: opts.contact } : {}),
        ...(opts.native ? { native: true } : {}),
        ...(opts.platforms ? { platforms: opts.platforms.split(',').map((x) => x.trim()) } : {}),
      };
      const version = cliVersion();
      const files = scaffoldPlugin(options, version);
      const dir = resolve(opts.dir ?? basename(name));
      writeScaffold(dir, files);
      const shown = relative(process.cwd(), dir) || '.';
      const p = planScaffold(options, version);
      console.log(`Wrote ${name} (device type ${opts.device}) to ${shown}:`);
      for (const path of files.keys()) console.log(`  ${path}`);
      console.log(`\nNext:\n  cd ${shown}\n  npm install\n  npm test        # ${commands(p).conformance}: lists what is missing\nThen read ${shown}/README.md.`);
    });
  return plugin;
}
