import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { checkPullRequest, localBotEnvironment, readBundle, readIndex, submitBundle } from '@hearth/registry';
import { onnxModelRunner } from '../model-runner.js';
import { GovernanceError, startDevGitHub } from '@hearth/governance';
import { gitHubFromEnv } from './governance.js';

function pullNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a pull request number`);
  return n;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`'${value}' is not a port (0 to 65535; 0 picks a free one)`);
  return n;
}

/**
 * `hearth registry dev-server`: a GitHub-compatible server on 127.0.0.1 holding a registry repository,
 * for a dry run of `submit` and `check-pr`; runs until Ctrl-C.
 */
export function registryDevServerCommand(): Command {
  return new Command('dev-server')
    .description('Start a GitHub-compatible server on 127.0.0.1 with a registry repository, to dry-run submit and check-pr; Ctrl-C stops it')
    .option('--port <n>', 'the port (0: a free one)', portNumber, 0)
    .option('--repo <owner/name>', 'the repository it holds', 'hearth/registry')
    .action(async (opts: { port: number; repo: string }) => {
      const server = await startDevGitHub({ repository: opts.repo, port: opts.port }).catch((e: unknown) => {
        const code = (e as { code?: string }).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') throw new GovernanceError('E_GOV_INPUT', `cannot listen on 127.0.0.1:${opts.port} (${code}); pick another port with --port, or --port 0 for a free one`);
        throw e;
      });
      console.log(`A GitHub-compatible server holds ${server.repository} (branch main) at ${server.url}. In another shell:`);
      for (const [name, value] of Object.entries(server.env)) console.log(`export ${name}=${value}`);
      console.log('Then run `hearth registry submit <bundle>` and `hearth registry check-pr --pr <number> --index <dir>`. Ctrl-C stops the server; nothing is kept.');
      await new Promise<void>((stopped) => {
        const stop = (): void => void server.close().then(stopped);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/** `hearth registry submit`: opens the pull request adding a bundle (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL). */
export function registrySubmitCommand(): Command {
  return new Command('submit')
    .description('Open the pull request that adds a bundle to the registry repository (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL)')
    .argument('<bundle>', 'the bundle folder')
    .option('--base <branch>', 'the branch to target', 'main')
    .option('--package <dir>', "the plugin's package folder, which must still be the certified package (default: the current folder when it is that package)")
    .action(async (bundle: string, opts: { base: string; package?: string }) => {
      const { octokit, owner, repo } = gitHubFromEnv(false);
      const packageDir = opts.package !== undefined ? resolve(opts.package) : certifiedPackageHere(resolve(bundle));
      if (packageDir === undefined) console.warn('The package is not checked against the certificate: run submit in the plugin\'s folder or pass --package <dir>.');
      const sub = await submitBundle(octokit, { owner, repo, bundleDir: resolve(bundle), base: opts.base, ...(packageDir ? { packageDir } : {}) });
      console.log(`Opened #${sub.number}: ${sub.url} (branch ${sub.branch}, ${sub.files.length} files)`);
    });
}

/** The current folder, when its package.json names the package the bundle certifies. */
function certifiedPackageHere(bundleDir: string): string | undefined {
  const file = join(process.cwd(), 'package.json');
  if (!existsSync(file)) return undefined;
  const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
  return name === readBundle(bundleDir).certificate.statement.plugin.name ? process.cwd() : undefined;
}

/** `hearth registry check-pr`: the registry bot on one pull request, reported as a check run. */
export function registryCheckPrCommand(): Command {
  return new Command('check-pr')
    .description('The registry bot: check a submission pull request and report a check run (GITHUB_TOKEN or HEARTH_APP_*, GITHUB_REPOSITORY, GITHUB_API_URL)')
    .requiredOption('--pr <number>', 'the pull request', pullNumber)
    .requiredOption('--index <dir>', "the index at the base branch (signers, revocations, device-type owners)")
    .option('--no-rerun', 'trust uploaded results even where the device exists here')
    .option('--npm-registry <url>', 'the npm registry to fetch published tarballs from (default HEARTH_NPM_REGISTRY, else https://registry.npmjs.org)')
    .option('--json', 'print JSON')
    .action(async (opts: { pr: number; index: string; rerun: boolean; npmRegistry?: string; json?: boolean }) => {
      const { octokit, owner, repo } = gitHubFromEnv(true);
      const environment = localBotEnvironment({ models: onnxModelRunner, ...(opts.rerun ? {} : { deviceTypes: [] }), ...(opts.npmRegistry ? { npmRegistry: opts.npmRegistry } : {}) });
      const outcome = await checkPullRequest(octokit, { owner, repo, pullNumber: opts.pr, index: readIndex(resolve(opts.index)), environment });
      if (opts.json) console.log(JSON.stringify({ ...outcome, bundles: outcome.bundles.map(({ rerun, ...b }) => ({ ...b, ...(rerun ? { rerunSeed: rerun.suite.freshSeed } : {}) })) }, null, 2));
      else {
        for (const b of outcome.bundles) {
          console.log(b.folder);
          for (const c of b.checks) console.log(`  ${c.skipped ? '-' : c.ok ? '✓' : '✗'} ${c.check}: ${c.message}`);
        }
        for (const f of outcome.strayFiles) console.log(`  ✗ ${f}: not a bundle file`);
        for (const p of outcome.problems) console.log(`✗ ${p}`);
        console.log(`Check run ${outcome.checkRunId}: ${outcome.conclusion}`);
      }
      process.exitCode = outcome.conclusion === 'success' ? 0 : 1;
    });
}
