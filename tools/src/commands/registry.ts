import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import {
  addBundle,
  buildSite,
  localBotEnvironment,
  generateSignerKey,
  initIndex,
  packageIntegrity,
  publicSigner,
  readBundle,
  readIndex,
  readPublicSigner,
  revokeVersion,
  RegistryError,
  verifyBundle,
  type VerifyReport,
} from '@hearth/registry';
import { lazyCommand } from '../optional.js';
import { onnxModelRunner } from '../model-runner.js';

/** Prints a verification report; returns the exit code (0 verified, 1 refused). */
export function printReport(report: VerifyReport, json: boolean): number {
  if (json) console.log(JSON.stringify({ ok: report.ok, checks: report.checks }, null, 2));
  else {
    const s = report.certificate.statement;
    console.log(`${s.plugin.name}@${s.plugin.version}, ${s.deviceType}, profile ${s.profile}, suite ${s.suiteVersion}, signed by ${s.signer.name} on ${s.signedAt}`);
    for (const c of report.checks) console.log(`  ${c.skipped ? '-' : c.ok ? '✓' : '✗'} ${c.check}: ${c.message}`);
    console.log(report.ok ? 'Verified.' : `Refused: ${report.checks.filter((c) => !c.ok).map((c) => c.check).join(', ')}.`);
  }
  return report.ok ? 0 : 1;
}

/** The nearest folder at or above `dir` that holds a package.json, if any (the user's home is not a package). */
function enclosingPackage(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (d !== homedir() && existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

function keygenCommand(): Command {
  return new Command('keygen')
    .description('Make an Ed25519 signer key: <out> (private, keep it secret) and <out>.pub.json (for the index)')
    .requiredOption('--name <signer>', 'who signs (the lab or CI)')
    .option('--out <file>', 'the private key file (default: ~/.hearth/keys/<name>.key.json, outside any package)')
    .action((opts: { name: string; out?: string }) => {
      const key = generateSignerKey(opts.name);
      const out = resolve(opts.out ?? join(homedir(), '.hearth', 'keys', `${opts.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'signer'}.key.json`));
      const pkg = enclosingPackage(dirname(out));
      if (pkg) throw new RegistryError('E_REG_KEY', `${out} is inside the package at ${pkg}: a plain \`git add .\` or \`npm publish\` would ship the signing key. Write it outside (the default is ~/.hearth/keys) and give CI the key as a secret.`, { path: out });
      mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
      const pub = out.replace(/(\.key)?\.json$/, '') + '.pub.json';
      writeFileSync(out, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
      chmodSync(out, 0o600);
      writeFileSync(pub, `${JSON.stringify(publicSigner(key), null, 2)}\n`);
      console.log(`Private key: ${out} (keep it secret)\nPublic key: ${pub} (add it to an index: hearth registry index init <dir> --signer ${pub})\nKey id: ${key.keyId}`);
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description('Verify a certification bundle: signature and signer, hashes, exact case list, outcomes, versions, expiry, integrity')
    .argument('<bundle>', 'the bundle folder')
    .option('--index <dir>', 'an index: its signers, revocations and device-type owners')
    .option('--signer <file...>', 'trusted public signer files (.pub.json), besides the index')
    .option('--package <dir|tgz>', 'the package to check the integrity of (a folder is packed with npm pack)')
    .option('--json', 'print JSON')
    .action((bundleDir: string, opts: { index?: string; signer?: string[]; package?: string; json?: boolean }) => {
      const index = opts.index ? readIndex(resolve(opts.index)) : undefined;
      // A signer file handed over on the command line is trusted for this bundle's package and device type:
      // the caller vouches for it. An index's signers keep the scopes its signers.json records.
      const given = (opts.signer ?? []).map(readPublicSigner);
      if (!index && given.length === 0) throw new RegistryError('E_REG_KEY', 'No trusted signer: pass --index <dir> or --signer <file.pub.json>.');
      const bundle = readBundle(resolve(bundleDir));
      const asked = { packages: [bundle.certificate.statement.plugin.name], deviceTypes: [bundle.certificate.statement.deviceType] };
      const signers = [...(index?.signers ?? []), ...given.map((s) => ({ ...s, ...asked }))];
      const report = verifyBundle(bundle, { signers, ...(index ? { index } : {}), ...(opts.package ? { integrity: packageIntegrity(opts.package) } : {}) });
      process.exitCode = printReport(report, opts.json ?? false);
    });
}

function indexCommand(): Command {
  const cmd = new Command('index').description('Keep a registry index (a folder of JSON files, one per plugin)');
  cmd
    .command('init')
    .description('Create an index trusting the given signers (or add signers to one)')
    .argument('<dir>', 'the index folder')
    .option('--signer <file...>', 'public signer files (.pub.json)', [])
    .option('--packages <names...>', 'what the signers may certify: package names, scopes as @scope/*, or * for any')
    .option('--device-types <types...>', 'the device types they may certify, or * for any')
    .action((dir: string, opts: { signer: string[]; packages?: string[]; deviceTypes?: string[] }) => {
      if (opts.signer.length > 0 && (!opts.packages?.length || !opts.deviceTypes?.length)) {
        throw new RegistryError('E_REG_KEY', 'A signer is trusted for named packages and device types only: add --packages <@scope/*|name|*...> and --device-types <type|*...> (e.g. --packages "@acme/*" --device-types npu).');
      }
      const index = initIndex(resolve(dir), opts.signer.map((f) => ({ ...readPublicSigner(f), packages: opts.packages!, deviceTypes: opts.deviceTypes! })));
      console.log(`${index.dir}: ${index.signers.length} trusted signer(s), ${index.entries.length} plugin(s)`);
    });
  cmd
    .command('add')
    .description('Verify a bundle against the index and record it')
    .argument('<dir>', 'the index folder')
    .argument('<bundle>', 'the bundle folder')
    .option('--package <dir|tgz>', 'the package, to check its integrity')
    .option('--rerun', "rerun the suite here (with fresh draws) where the device exists, refuse a bundle that disagrees, and publish the rerun's figures")
    .action(async (dir: string, bundle: string, opts: { package?: string; rerun?: boolean }) => {
      const statement = readBundle(resolve(bundle)).certificate.statement;
      const rerun = opts.rerun ? await localBotEnvironment({ models: onnxModelRunner }).rerun?.(statement) : undefined;
      if (opts.rerun && !rerun) console.log(`Not rerun: no installed ${statement.plugin.name}@${statement.plugin.version} for a ${statement.deviceType} device here; publishing the submitted figures.`);
      const entry = addBundle(resolve(dir), resolve(bundle), { ...(opts.package ? { integrity: packageIntegrity(opts.package) } : {}), ...(rerun ? { rerun } : {}) });
      console.log(`${entry.name}: ${entry.versions.length} version(s) in the index${rerun ? ` (figures from this machine's rerun, fresh seed ${rerun.suite.freshSeed})` : ''}`);
    });
  cmd
    .command('revoke')
    .description('Revoke a plugin version')
    .argument('<dir>', 'the index folder')
    .argument('<name>', 'the package name')
    .argument('<version>', 'the version')
    .requiredOption('--reason <text>', 'why, for the record')
    .action((dir: string, name: string, version: string, opts: { reason: string }) => {
      revokeVersion(resolve(dir), name, version, opts.reason);
      console.log(`${name}@${version} revoked.`);
    });
  return cmd;
}

function siteCommand(): Command {
  return new Command('site')
    .description('Build the registry web page (static files, no server) from an index')
    .argument('<index>', 'the index folder')
    .argument('<out>', 'the output folder')
    .action((index: string, out: string) => {
      console.log(`Registry site: ${buildSite(readIndex(resolve(index)), resolve(out))}`);
    });
}

/** `hearth registry`: signer keys, bundle verification, the index, submissions, the bot, the web page. */
export function registryCommand(): Command {
  return new Command('registry')
    .description('The plugin registry: keygen, verify, index, submit, check-pr, dev-server, site')
    .addCommand(keygenCommand())
    .addCommand(verifyCommand())
    .addCommand(indexCommand())
    .addCommand(
      lazyCommand('submit', 'Open the pull request that adds a bundle to the registry repository', '@hearth/governance', async () => (await import('./registry-github.js')).registrySubmitCommand()),
    )
    .addCommand(
      lazyCommand('check-pr', 'The registry bot: check a submission pull request, report a check run', '@hearth/governance', async () => (await import('./registry-github.js')).registryCheckPrCommand()),
    )
    .addCommand(
      lazyCommand('dev-server', 'Start a GitHub-compatible server on 127.0.0.1 to dry-run submit and check-pr', '@hearth/governance', async () => (await import('./registry-github.js')).registryDevServerCommand()),
    )
    .addCommand(siteCommand());
}
