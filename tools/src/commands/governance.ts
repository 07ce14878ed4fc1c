import { readFile, writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  GovernanceError,
  createGitHubClient,
  evaluate,
  loadPolicyFile,
  parseInstant,
  parseSnapshot,
  readSnapshot,
  runBot,
  terminalSummaryOf,
  teamsOf,
  withReview,
  type Evaluation,
  type GitHubAuth,
  type GitHubClient,
} from '@hearth/governance';

/** Where the bot and the CLI look for the model unless told otherwise. */
const DEFAULT_POLICY = '.github/governance.yaml';

/** Exit codes: 0 passing (or a valid file), 1 a decision not passing (pending or failing) or a bug, 2 a user error. */
const EXIT = { ok: 0, notPassing: 1, userError: 2, internal: 1 } as const;

/**
 * The `hearth governance` command: `check` validates a model, `eval` says what the bot would say about
 * a pull request, `simulate` replays a saved snapshot offline with what-if reviews, and `run` is the
 * bot's entry point in a CI workflow. Each takes `--json` for machine output.
 */
export function governanceCommand(): Command {
  const governance = new Command('governance').description('governance as code: validate the model, evaluate and simulate decisions, run the bot');

  withExit(governance.command('check'))
    .description('validate a governance model file')
    .argument('<file>', 'the governance YAML file')
    .option('--json', 'print machine-readable JSON')
    .action((file: string, opts: { json?: boolean }) =>
      guard(opts.json, async () => {
        const policy = await loadPolicyFile(file);
        const m = policy.model;
        const counts = { organisations: m.organisations.length, people: m.people.length, bodies: m.bodies.length, modules: m.modules.length, decisions: m.decisions.length };
        if (opts.json === true) print({ ok: true, file, hash: policy.hash, ...counts });
        else process.stdout.write(`${file}: valid (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}); ${policy.hash}\n`);
        return EXIT.ok;
      }),
    );

  withExit(governance.command('eval'))
    .description('evaluate a pull request as the bot would, reading GitHub (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL)')
    .requiredOption('--pr <number>', 'pull request number', parseNumber)
    .option('--policy <file>', 'the governance YAML file', DEFAULT_POLICY)
    .option('--as-of <date>', 'evaluate as of this date (default: now)')
    .option('--save-snapshot <file>', 'save the snapshot read, for simulate')
    .option('--json', 'print machine-readable JSON')
    .action((opts: { pr: number; policy: string; asOf?: string; saveSnapshot?: string; json?: boolean }) =>
      guard(opts.json, async () => {
        const policy = await loadPolicyFile(opts.policy);
        const { octokit, owner, repo } = gitHubFromEnv(false);
        const key = nonEmpty(process.env['HEARTH_GOVERNANCE_KEY']);
        const recordBranch = nonEmpty(process.env['HEARTH_RECORD_BRANCH']);
        const snapshot = await readSnapshot(octokit, { owner, repo, pullNumber: opts.pr, teams: teamsOf(policy.model), ...(key === undefined ? {} : { key }), ...(recordBranch === undefined ? {} : { recordBranch }) });
        if (key === undefined && snapshot.frozen !== undefined) {
          process.stderr.write("note: the bot's record of this decision was read without checking its signature (set HEARTH_GOVERNANCE_KEY to the bot's key to check it)\n");
        }
        if (opts.saveSnapshot !== undefined) await writeFile(opts.saveSnapshot, `${JSON.stringify(snapshot, null, 2)}\n`);
        return report(evaluate(snapshot, policy, opts.asOf ?? new Date().toISOString()), opts.json);
      }),
    );

  withExit(governance.command('simulate'))
    .description('evaluate a saved snapshot offline, optionally adding reviews, as of a date')
    .requiredOption('--snapshot <file>', 'snapshot JSON saved by eval --save-snapshot')
    .option('--pr <number>', 'the pull request the snapshot must be of', parseNumber)
    .option('--policy <file>', 'the governance YAML file', DEFAULT_POLICY)
    .option('--add-review <user:state>', 'add a review on the head, e.g. ana:approve (repeatable)', collect, [])
    .option('--as-of <date>', 'evaluate as of this date (default: now)')
    .option('--json', 'print machine-readable JSON')
    .action((opts: { snapshot: string; pr?: number; policy: string; addReview: string[]; asOf?: string; json?: boolean }) =>
      guard(opts.json, async () => {
        const policy = await loadPolicyFile(opts.policy);
        const text = await readFile(opts.snapshot, 'utf8').catch((e: Error) => {
          throw new GovernanceError('E_GOV_INPUT', `cannot read snapshot ${opts.snapshot}: ${e.message}; check the path`);
        });
        let snapshot = parseSnapshot(text, opts.snapshot);
        if (opts.pr !== undefined && opts.pr !== snapshot.number) {
          throw new GovernanceError('E_GOV_INPUT', `${opts.snapshot} is of pull request #${snapshot.number}, not #${opts.pr}; pass the right snapshot`);
        }
        const asOf = opts.asOf ?? new Date().toISOString();
        if (parseInstant(asOf) === undefined) throw new GovernanceError('E_GOV_INPUT', `--as-of '${asOf}' is not an instant; give an ISO date or date-time with a zone, such as 2025-03-01 or 2025-03-01T12:00:00Z`);
        for (const spec of opts.addReview) snapshot = withReview(snapshot, spec, asOf);
        // A replayed file names its subject and applicant in its own fields, not in a description.
        return report(evaluate(snapshot, policy, asOf, { fieldsFrom: 'snapshot' }), opts.json);
      }),
    );

  withExit(governance.command('run'))
    .description("the bot's entry point in a workflow: freeze, evaluate and publish for the event's pull request")
    .option('--pr <number>', 'pull request number (default: from GITHUB_EVENT_PATH)', parseNumber)
    .option('--policy <file>', 'the governance YAML file', DEFAULT_POLICY)
    .addOption(new Option('--publish <how>', 'check-run or status (default: check-run with a GitHub App, status with a token)').choices(['check-run', 'status']))
    .option('--json', 'print machine-readable JSON')
    .action((opts: { pr?: number; policy: string; publish?: 'check-run' | 'status'; json?: boolean }) =>
      guard(opts.json, async () => {
        const policy = await loadPolicyFile(opts.policy);
        const key = nonEmpty(process.env['HEARTH_GOVERNANCE_KEY']);
        if (key === undefined) throw new GovernanceError('E_GOV_INPUT', "HEARTH_GOVERNANCE_KEY is not set; set it to the bot's signing key, a secret of at least 32 characters (e.g. from 'openssl rand -hex 32'), as the workflow does");
        const { octokit, owner, repo, app } = gitHubFromEnv(true);
        const pullNumber = opts.pr ?? (await pullFromEvent());
        const result = await runBot(octokit, {
          owner,
          repo,
          pullNumber,
          policy,
          policyPath: opts.policy,
          publish: opts.publish ?? (app ? 'check-run' : 'status'),
          now: new Date().toISOString(),
          botLogin: nonEmpty(process.env['HEARTH_BOT_LOGIN']) ?? 'github-actions[bot]',
          key,
          ...(app ? { appId: nonEmpty(process.env['HEARTH_APP_ID']) ?? '' } : {}),
          ...(nonEmpty(process.env['HEARTH_RECORD_BRANCH']) === undefined ? {} : { recordBranch: nonEmpty(process.env['HEARTH_RECORD_BRANCH']) ?? '' }),
        });
        if (opts.json === true) print({ froze: result.froze, evaluation: result.evaluation });
        else process.stdout.write(`${terminalSummaryOf(result.evaluation)}\n`);
        // The published check carries the outcome; the job itself only fails on errors.
        return EXIT.ok;
      }),
    );
  return governance;
}

/**
 * Commander's own usage errors are user errors too: exit 2, as for every other user error, and with
 * `--json` they are printed as JSON like every other error.
 */
function withExit(command: Command): Command {
  const json = (): boolean => command.getOptionValue('json') === true;
  return command
    .configureOutput({ writeErr: (text) => (json() ? undefined : process.stderr.write(text)) })
    .exitOverride((err) => {
      if (err.exitCode !== 0 && json()) print({ ok: false, error: { code: 'E_GOV_INPUT', message: err.message.replace(/^error: /, ''), issues: [] } });
      process.exit(err.exitCode === 0 ? 0 : EXIT.userError);
    });
}

/**
 * Runs a command's body: a user error exits 2 with its message; anything else is a bug, exit 1,
 * and still printed as JSON under `--json`, so a script reading the output always gets JSON.
 */
async function guard(json: boolean | undefined, body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (e) {
    if (!(e instanceof GovernanceError)) {
      if (json === true) print({ ok: false, error: { code: 'E_INTERNAL', message: String((e as Error).stack ?? e), issues: [] } });
      else process.stderr.write(`internal error (please report it): ${String((e as Error).stack ?? e)}\n`);
      process.exitCode = EXIT.internal;
      return;
    }
    if (json === true) print({ ok: false, error: { code: e.code, message: e.message, issues: e.issues } });
    else process.stderr.write(`error ${e.code}: ${e.message}\n`);
    process.exitCode = EXIT.userError;
  }
}

function report(evaluation: Evaluation, json: boolean | undefined): number {
  if (json === true) print(evaluation);
  else process.stdout.write(`${terminalSummaryOf(evaluation)}\n`);
  return evaluation.status === 'passing' ? EXIT.ok : EXIT.notPassing;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function parseNumber(value: string): number {
  const n = Number(value);
  // Commander reports this as a usage error, which exits 2 like every user error.
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a pull request number`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * A client from the workflow's environment: GitHub App credentials (HEARTH_APP_ID,
 * HEARTH_APP_PRIVATE_KEY, HEARTH_APP_INSTALLATION_ID) when `allowApp` and present, else GITHUB_TOKEN.
 */
export function gitHubFromEnv(allowApp: boolean): { octokit: GitHubClient; owner: string; repo: string; app: boolean } {
  const env = process.env;
  const [owner, repo, ...rest] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  if (owner === undefined || owner === '' || repo === undefined || repo === '' || rest.length > 0) {
    throw new GovernanceError('E_GOV_INPUT', 'GITHUB_REPOSITORY is not set to owner/name; set it (a workflow sets it for you)');
  }
  const appId = nonEmpty(env['HEARTH_APP_ID']);
  const privateKey = nonEmpty(env['HEARTH_APP_PRIVATE_KEY']);
  const installationId = Number(env['HEARTH_APP_INSTALLATION_ID']);
  let auth: GitHubAuth;
  if (allowApp && appId !== undefined && privateKey !== undefined && Number.isInteger(installationId) && installationId > 0) {
    auth = { kind: 'app', appId, privateKey, installationId };
  } else {
    const token = nonEmpty(env['GITHUB_TOKEN']);
    if (token === undefined) throw new GovernanceError('E_GOV_INPUT', 'GITHUB_TOKEN is not set; set it, or the HEARTH_APP_* variables for a GitHub App');
    auth = { kind: 'token', token };
  }
  const baseUrl = nonEmpty(env['GITHUB_API_URL']);
  const octokit = createGitHubClient({ auth, ...(baseUrl === undefined ? {} : { baseUrl }) });
  return { octokit, owner, repo, app: auth.kind === 'app' };
}

/** The pull request of the workflow's event: `pull_request` events and comments on pull requests. */
async function pullFromEvent(): Promise<number> {
  const path = nonEmpty(process.env['GITHUB_EVENT_PATH']);
  if (path === undefined) throw new GovernanceError('E_GOV_INPUT', 'no --pr and no GITHUB_EVENT_PATH; pass --pr or run inside a workflow');
  let event: { pull_request?: { number?: number }; issue?: { number?: number; pull_request?: unknown }; workflow_run?: { pull_requests?: { number?: number }[] } } | null;
  try {
    event = JSON.parse(await readFile(path, 'utf8')) as typeof event;
  } catch (cause) {
    throw new GovernanceError('E_GOV_INPUT', `cannot read the event in GITHUB_EVENT_PATH (${path}): ${(cause as Error).message}; pass --pr or run inside a workflow`);
  }
  // A workflow_run event lists the pull request only when it comes from this repository; the shipped
  // workflow passes --pr from the review relay for forks.
  const n = event?.pull_request?.number ?? (event?.issue?.pull_request === undefined ? undefined : event.issue.number) ?? event?.workflow_run?.pull_requests?.[0]?.number;
  if (n === undefined) throw new GovernanceError('E_GOV_INPUT', `the event in ${path} is not about a pull request; pass --pr, or run on pull_request_target, issue_comment or workflow_run events`);
  return n;
}

/** A variable's value, or undefined when it is unset or empty (a workflow passes unset variables as ''). */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
