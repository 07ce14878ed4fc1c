import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '@hearth/conformance';
// Types only: @hearth/governance (the one octokit set-up) is an optional peer, needed only by its caller.
import type { Annotation, GitHubClient } from '@hearth/governance';
import { BUNDLE_FILES, CERTIFICATE_FILE, type CertificateStatement } from './bundle.js';
import { RegistryError } from './error.js';
import type { RegistryIndex } from './index-file.js';
import { pluginSlug } from './site/status.js';
import { readBundle, verifyBundle, type VerifyCheck } from './verify.js';
import { compareRerun } from './rerun.js';
import { refuseChangedPackage } from './package-drift.js';

/** GitHub's limit on annotations in one check-run request. */
const ANNOTATIONS_PER_REQUEST = 50;

/** A repository on GitHub. */
export interface RepoRef {
  /** Owner. */
  readonly owner: string;
  /** Name. */
  readonly repo: string;
}

/** Where a bundle goes in the registry repository: `bundles/<plugin>/<version>/<device>-<profile>/`. */
export function bundleFolder(s: Pick<CertificateStatement, 'plugin' | 'deviceType' | 'profile'>): string {
  return `bundles/${pluginSlug(s.plugin.name)}/${s.plugin.version}/${s.deviceType}-${s.profile}`;
}

async function call<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const status = (e as { status?: number }).status;
    throw new RegistryError('E_REG_GITHUB', `GitHub refused to ${what}${status ? ` (HTTP ${status})` : ''}: ${(e as Error).message}`, { cause: e });
  }
}

/** Options of {@link submitBundle}. */
export interface SubmitOptions extends RepoRef {
  /** The bundle folder. */
  readonly bundleDir: string;
  /** The branch the pull request targets (default `main`). */
  readonly base?: string;
  /**
   * The plugin's package folder (the working tree): when given, the bundle is refused unless `npm pack`
   * there still has the certified integrity.
   */
  readonly packageDir?: string;
}

/** The pull request a submission opened. */
export interface Submission {
  /** Its number. */
  readonly number: number;
  /** Its web address. */
  readonly url: string;
  /** The branch holding the bundle. */
  readonly branch: string;
  /** The files added. */
  readonly files: readonly string[];
}

/**
 * Opens the pull request that adds a bundle to the registry repository: a branch
 * `certify/<plugin>-<version>-<device>-<profile>` from `base`, the bundle's four files under
 * {@link bundleFolder}, and the pull request. The bundle is read (and schema-checked) first, and with
 * `packageDir` refused (`E_REG_VERIFY`) when that package changed since it was certified. Throws
 * `E_REG_GITHUB` when GitHub refuses a step (the branch exists: a submission is already open).
 */
export async function submitBundle(octokit: GitHubClient, options: SubmitOptions): Promise<Submission> {
  const { owner, repo } = options;
  const base = options.base ?? 'main';
  const bundle = readBundle(options.bundleDir);
  if (options.packageDir !== undefined) refuseChangedPackage(options.packageDir, bundle);
  const s = bundle.certificate.statement;
  const folder = bundleFolder(s);
  const branch = `certify/${pluginSlug(s.plugin.name)}-${s.plugin.version}-${s.deviceType}-${s.profile}`;
  const { data: ref } = await call(`read branch ${base}`, () => octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}` }));
  await call(`create branch ${branch} (is a submission of this bundle already open?)`, () => octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: ref.object.sha }));
  const files: string[] = [];
  for (const name of [CERTIFICATE_FILE, ...BUNDLE_FILES]) {
    const path = `${folder}/${name}`;
    const content = readFileSync(join(options.bundleDir, name)).toString('base64');
    await call(`add ${path}`, () => octokit.rest.repos.createOrUpdateFileContents({ owner, repo, path, branch, content, message: `registry: ${s.plugin.name}@${s.plugin.version} ${s.deviceType} ${s.profile}` }));
    files.push(path);
  }
  const title = `Certify ${s.plugin.name}@${s.plugin.version} (${s.deviceType}, ${s.profile} profile, suite ${s.suiteVersion})`;
  const body = `Certification bundle of **${s.plugin.name}@${s.plugin.version}** by ${s.plugin.vendor}.\n\n- device type: ${s.deviceType}\n- profile: ${s.profile}\n- suite: ${s.suiteVersion}, core API ${s.coreApiVersion}, opset ${s.opsetVersion}\n- package integrity: \`${s.plugin.integrity}\`\n- signer: ${s.signer.name} (\`${s.signer.keyId}\`)\n\nThe registry bot checks it; humans decide only on policy.`;
  const { data: pull } = await call('open the pull request', () => octokit.rest.pulls.create({ owner, repo, head: branch, base, title, body }));
  return { number: pull.number, url: pull.html_url, branch, files };
}

/** What the bot can do on its own machine for a submitted bundle. */
export interface BotEnvironment {
  /**
   * Reruns the suite where the device exists here (CPU, WebGPU on a software adapter, the reference native
   * plugin), with property draws from a seed drawn at run time; undefined when it can't.
   */
  readonly rerun?: (statement: CertificateStatement) => Promise<RunResult | undefined>;
  /**
   * npm's integrity of the package as published (fetched or packed) and where it comes from; undefined
   * when it can't be had. A throw (the registry unreachable) fails the integrity check with its message.
   */
  readonly integrityOf?: (statement: CertificateStatement) => Promise<{ integrity: string; source: string } | undefined>;
}

/** Options of {@link checkPullRequest}. */
export interface CheckPullRequestOptions extends RepoRef {
  /** The pull request. */
  readonly pullNumber: number;
  /** The index at the base branch: its signers, revocations and device-type owners. */
  readonly index: RegistryIndex;
  /** What the bot's machine can do. */
  readonly environment?: BotEnvironment;
  /** The time to judge expiry at (default now). */
  readonly now?: Date;
  /** Check run name (default `hearth/registry`). */
  readonly name?: string;
}

/** One bundle's outcome in a pull request. */
export interface BundleOutcome {
  /** Its folder in the repository. */
  readonly folder: string;
  /** Every check, the bot's own (`layout`, `rerun`) included. */
  readonly checks: readonly (VerifyCheck | { check: 'layout' | 'rerun' | 'bundle'; ok: boolean; message: string; file: string; skipped?: boolean })[];
  /** The bot's own run, when it reran the suite: its figures are the ones to publish (`addBundle`'s `rerun`). */
  readonly rerun?: RunResult;
}

/** What {@link checkPullRequest} found and published. */
export interface CheckOutcome {
  /** success when every bundle passed every check. */
  readonly conclusion: 'success' | 'failure';
  /** Per bundle. */
  readonly bundles: readonly BundleOutcome[];
  /** Files the pull request changes that are not bundle files. */
  readonly strayFiles: readonly string[];
  /** The check run's id. */
  readonly checkRunId: number;
  /** The commit judged, read and reported on. */
  readonly headSha: string;
  /** Why nothing could be judged (files GitHub does not list, a head that kept moving); empty when judged. */
  readonly problems: readonly string[];
}

const BUNDLE_PATH = /^bundles\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/;

/**
 * The registry bot: reads a submission pull request at its head commit (from the head repository, a fork's
 * own), and for each bundle in it runs every technical
 * check (`verifyBundle` against the index, the folder layout, the package integrity where it can be had,
 * and, where the device exists on this machine, a rerun of the suite compared with the uploaded
 * results), then reports them as one check run with an annotation per failed check. Files outside
 * `bundles/<plugin>/<version>/<device>-<profile>/` fail the check: a submission has a fixed file set. So
 * does a pull request with files GitHub does not list (over 3000), or whose head kept moving while it was
 * read; the check run is posted on the commit whose files were judged.
 */
export async function checkPullRequest(octokit: GitHubClient, options: CheckPullRequestOptions): Promise<CheckOutcome> {
  const { owner, repo, pullNumber } = options;
  // Judge one commit: read the listing and every file at head.sha, then make sure the head did not move
  // meanwhile (a push during the check would otherwise get a verdict on files it never had).
  const moved: string[] = [];
  let snap = await readSubmission(octokit, options);
  for (let attempt = 1; ; attempt++) {
    const { data: now } = await call(`read pull request #${pullNumber}`, () => octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber }));
    if (now.head.sha === snap.sha) break;
    moved.push(snap.sha);
    if (attempt === HEAD_READS) {
      snap = { sha: now.head.sha, changedFiles: now.changed_files, listed: [], contents: new Map() };
      break;
    }
    snap = await readSubmission(octokit, options);
  }
  const stable = moved.length < HEAD_READS;
  const unseen = snap.changedFiles - snap.listed.length;
  const folders = new Map<string, ReadonlyMap<string, Buffer>>();
  const strayFiles: string[] = [];
  for (const f of snap.listed) {
    const m = BUNDLE_PATH.exec(f);
    if (m && [CERTIFICATE_FILE, ...BUNDLE_FILES].includes(m[4]! as never)) folders.set(f.slice(0, f.lastIndexOf('/')), snap.contents.get(f.slice(0, f.lastIndexOf('/'))) ?? new Map());
    else strayFiles.push(f);
  }
  if (stable && folders.size === 0 && strayFiles.length === 0) throw new RegistryError('E_REG_GITHUB', `Pull request #${pullNumber} changes no file; a submission adds one bundle folder.`);
  const bundles: BundleOutcome[] = [];
  // A check that can't see every file judges nothing: the unseen ones could be anything (signers.json).
  if (stable && unseen <= 0) {
    for (const [folder, files] of folders) {
      const dir = mkdtempSync(join(tmpdir(), 'hearth-pr-bundle-'));
      try {
        for (const [name, data] of files) writeFileSync(join(dir, name), data);
        bundles.push(await checkOne(folder, dir, options));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const problems = [
    ...(stable ? [] : [`The head moved during each of ${HEAD_READS} reads (${moved.map((s) => s.slice(0, 7)).join(', ')}); nothing was judged. Rerun the check once pushes stop.`]),
    ...(stable && unseen > 0 ? [`The pull request changes ${snap.changedFiles} files but GitHub lists only ${snap.listed.length}: ${unseen} file(s) can't be seen, so the submission can't be judged. A submission adds one bundle folder.`] : []),
  ];
  const judged = problems.length === 0;
  const conclusion = judged && strayFiles.length === 0 && bundles.every((b) => b.checks.every((c) => c.ok)) ? 'success' : 'failure';
  const annotations: Annotation[] = [
    ...strayFiles.map((path): Annotation => ({ path, start_line: 1, end_line: 1, annotation_level: 'failure', title: 'layout', message: `A submission adds bundle files only: bundles/<plugin>/<version>/<device>-<profile>/{certificate.json,results.json,junit.xml,manifest.json}${/(^|\/)signers\.json$/.test(path) ? '; the signers are changed by the registry\'s maintainers, never in a submission' : ''}.` })),
    ...bundles.flatMap((b) => b.checks.filter((c) => !c.ok).map((c): Annotation => ({ path: `${b.folder}/${c.file}`, start_line: 1, end_line: 1, annotation_level: 'failure', title: c.check, message: c.message }))),
  ];
  const mark = (c: { ok: boolean; skipped?: boolean }) => (c.skipped ? '➖' : c.ok ? '✅' : '❌');
  const summary = [
    `Judged commit ${snap.sha}${stable && moved.length > 0 ? ` (the head moved from ${moved.map((s) => s.slice(0, 7)).join(', ')} during the check; this is the commit read)` : ''}.`,
    ...problems.map((p) => `❌ ${p}`),
    ...bundles.map((b) => [`### ${b.folder}`, ...b.checks.map((c) => `- ${mark(c)} **${c.check}**: ${c.message}`)].join('\n')),
    ...(strayFiles.length ? [`### Not bundle files\n${strayFiles.map((f) => `- ❌ ${f}`).join('\n')}`] : []),
  ].join('\n\n');
  const count = annotations.length + problems.length;
  const output = (batch: Annotation[]) => ({ title: conclusion === 'success' ? 'Registry: every check passed' : `Registry: ${count} problem(s)`, summary, annotations: batch });
  const { data: run } = await call('create the check run', () =>
    octokit.rest.checks.create({ owner, repo, name: options.name ?? 'hearth/registry', head_sha: snap.sha, status: 'completed', conclusion, output: output(annotations.slice(0, ANNOTATIONS_PER_REQUEST)) }),
  );
  for (let i = ANNOTATIONS_PER_REQUEST; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    await call('update the check run', () => octokit.rest.checks.update({ owner, repo, check_run_id: run.id, output: output(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST)) }));
  }
  return { conclusion, bundles, strayFiles, checkRunId: run.id, headSha: snap.sha, problems };
}

/** How many times the bot reads a pull request whose head keeps moving before it gives up. */
const HEAD_READS = 3;

/** A pull request as of one head commit: GitHub's count of changed files, those it lists, and each bundle folder's files. */
interface Submitted {
  readonly sha: string;
  readonly changedFiles: number;
  readonly listed: readonly string[];
  readonly contents: ReadonlyMap<string, ReadonlyMap<string, Buffer>>;
}

/** Reads a pull request's listing and bundle files at its head commit, from the head repository (a fork's own). */
async function readSubmission(octokit: GitHubClient, options: CheckPullRequestOptions): Promise<Submitted> {
  const { owner, repo, pullNumber } = options;
  const { data: pull } = await call(`read pull request #${pullNumber}`, () => octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber }));
  const head = pull.head.repo;
  if (!head) throw new RegistryError('E_REG_GITHUB', `Pull request #${pullNumber}'s head repository no longer exists (a deleted fork): there is nothing to judge; close it and submit again.`);
  const changed = await call('list the changed files', () => octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: pullNumber, per_page: 100 }));
  const listed = changed.map((f) => f.filename);
  const contents = new Map<string, Map<string, Buffer>>();
  if (listed.length >= pull.changed_files) {
    for (const path of listed) {
      const m = BUNDLE_PATH.exec(path);
      if (!m || !([CERTIFICATE_FILE, ...BUNDLE_FILES] as string[]).includes(m[4]!)) continue;
      const folder = path.slice(0, path.lastIndexOf('/'));
      const files = contents.get(folder) ?? new Map<string, Buffer>();
      contents.set(folder, files);
      try {
        const { data } = await octokit.rest.repos.getContent({ owner: head.owner.login, repo: head.name, path, ref: pull.head.sha });
        if (!Array.isArray(data) && data.type === 'file') files.set(m[4]!, Buffer.from(data.content, 'base64'));
      } catch (e) {
        if ((e as { status?: number }).status !== 404) throw new RegistryError('E_REG_GITHUB', `GitHub refused to read ${path} at ${pull.head.sha}: ${(e as Error).message}`, { cause: e });
      }
    }
  }
  return { sha: pull.head.sha, changedFiles: pull.changed_files, listed, contents };
}

async function checkOne(folder: string, dir: string, options: CheckPullRequestOptions): Promise<BundleOutcome> {
  let bundle;
  try {
    bundle = readBundle(dir);
  } catch (e) {
    const missing = [CERTIFICATE_FILE, ...BUNDLE_FILES].filter((f) => !readdirSync(dir).includes(f));
    return { folder, checks: [{ check: 'bundle', ok: false, message: (e as Error).message.replaceAll(dir, folder), file: missing[0] ?? CERTIFICATE_FILE }] };
  }
  const s = bundle.certificate.statement;
  let integrity: { integrity: string; source: string } | undefined;
  let unreachable: string | undefined;
  try {
    integrity = await options.environment?.integrityOf?.(s);
  } catch (e) {
    unreachable = (e as Error).message;
  }
  const report = verifyBundle(bundle, { signers: options.index.signers, index: options.index, ...(integrity ? { integrity: integrity.integrity } : {}), ...(options.now ? { now: options.now } : {}) });
  // Say which package was compared: the published tarball is the one users install.
  const integrityCheck = ({ skipped, ...c }: VerifyCheck): VerifyCheck => {
    if (c.check === 'integrity' && unreachable !== undefined) return { ...c, ok: false, message: `not checked: ${unreachable}` };
    return { ...c, ...(skipped ? { skipped } : {}), ...(c.check === 'integrity' && integrity ? { message: `${c.message} (${integrity.source})` } : {}) };
  };
  const expected = bundleFolder(s);
  const checks: BundleOutcome['checks'][number][] = [
    { check: 'layout', ok: expected === folder, message: expected === folder ? 'in its place' : `the bundle of ${s.plugin.name}@${s.plugin.version} (${s.deviceType}, ${s.profile}) belongs in ${expected}/`, file: CERTIFICATE_FILE },
    ...report.checks.map(integrityCheck).map((c) => (c.message.includes(dir) ? { ...c, message: c.message.replaceAll(dir, folder) } : c)),
  ];
  const rerun = options.environment?.rerun ? await options.environment.rerun(s) : undefined;
  if (rerun) checks.push({ check: 'rerun', file: 'results.json', ...compareRerun(report.results, rerun) });
  else checks.push({ check: 'rerun', ok: true, skipped: true, message: `not rerun: no ${s.deviceType} device on the bot's machine; the uploaded results are trusted on the signer's word`, file: 'results.json' });
  return { folder, checks, ...(rerun ? { rerun } : {}) };
}
