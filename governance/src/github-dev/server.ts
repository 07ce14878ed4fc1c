// A GitHub-compatible HTTP server on 127.0.0.1 serving the few REST endpoints the adapter uses, with
// Link-header pagination and injectable rate limits: the tests' GitHub, and `hearth registry dev-server`'s.
import { createHash, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file of a pull request: its path, or GitHub's file entry with a rename's old path. */
export type FakeFile = string | { filename: string; previous_filename?: string; status?: 'added' | 'removed' | 'modified' | 'renamed' };

/** The pull request a fake server serves, in GitHub's terms. */
export interface FakePull {
  number: number;
  author: string;
  headSha: string;
  createdAt: string;
  labels: string[];
  body?: string;
  /** The changed files; GitHub lists at most {@link GITHUB_MAX_LISTED_FILES} of them. */
  files: FakeFile[];
  /** GitHub's count of changed files (`changed_files`); default: the number of `files`. */
  changedFiles?: number;
  reviews: { id: number; user: string; state: string; commit_id: string; submitted_at: string; body?: string }[];
  comments: FakeComment[];
  /** The base branch; default `main`. */
  base?: string;
  /** Whether the pull request is a draft. */
  draft?: boolean;
  /** Issue events (`base_ref_changed`, `ready_for_review`, ...), oldest first. */
  events?: { event: string; created_at: string; actor?: string }[];
}

/** A comment, with the history of its edits as GitHub's GraphQL API keeps it. */
export interface FakeComment {
  id: number;
  user: string;
  body: string;
  created_at: string;
  updated_at: string;
  /** Each revision (the creation first, once edited): who made it, when, and the whole text after it. */
  edits?: { editor: string; editedAt: string; diff: string }[];
}

export interface FakeGitHub {
  url: string;
  /** Every request seen, as `METHOD /path?query`. */
  requests: string[];
  /** Bodies of writes, keyed `METHOD /path`. */
  writes: { route: string; body: Record<string, unknown> }[];
  /** Makes the next `count` requests to a path answer with a rate-limit response of a kind. */
  rateLimit(pathPrefix: string, kind: 'primary' | 'secondary', count?: number): void;
  /** Installation tokens minted for the App, in order. */
  installationTokens: string[];
  /** Stores a file's text as a git blob, served at `GET /repos/:owner/:repo/git/blobs/:sha`; returns its sha. */
  addBlob(text: string): string;
  /**
   * The account id behind each login (`user.id`), which GitHub never changes: set a login to another
   * id to model a member who renamed and someone else who claimed the freed login.
   */
  accounts: Map<string, number>;
  /**
   * Edits a comment as `editor` (default: its author; anyone with write access can edit anyone's):
   * new body, `updated_at` moves, and the edit joins the comment's history (`userContentEdits`).
   */
  editComment(id: number, body: string, editor?: string, at?: string): void;
  /** The rules that apply to each branch (`GET /repos/:owner/:repo/rules/branches/:branch`); none unless set. */
  rules: Map<string, unknown[]>;
  /** Check runs created, each with the App that created it (`app.id`), as GitHub records it. */
  checkRuns: Map<number, Record<string, unknown>>;
  /** Runs `fn` once, right after the server answers the next request whose path starts with `pathPrefix`. */
  after(pathPrefix: string, fn: () => void): void;
  close(): Promise<void>;
}

/** The id of the GitHub Actions App, whose installation token a workflow's GITHUB_TOKEN is. */
export const GITHUB_ACTIONS_APP_ID = 15368;

/** GitHub lists at most this many files of a pull request (the rest are left out; `changed_files` still counts them). */
export const GITHUB_MAX_LISTED_FILES = 3000;

/** GitHub refuses a comment body longer than this many characters (422). */
export const GITHUB_MAX_COMMENT_CHARS = 65_536;

/** A timestamp as GitHub writes it: whole seconds, `Z`. */
function githubNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The git blob hash of a text, as git and GitHub compute it. */
function blobSha(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** GitHub's 422 for a comment body over the limit. */
const tooLong = {
  message: 'Validation Failed',
  errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${GITHUB_MAX_COMMENT_CHARS} characters)` }],
  documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
};

/**
 * A GitHub App the server knows. With one, the server mints installation tokens at
 * `POST /app/installations/:id/access_tokens` for a JWT signed (RS256) by the App's key, and every
 * `/repos/` and `/orgs/` endpoint requires `Authorization: token|bearer <an installation token it minted>`.
 */
export interface FakeApp {
  appId: number | string;
  publicKey: KeyObject | string;
  installationId: number;
}

/** Whether an `Authorization: bearer <JWT>` is signed (RS256) by `app`'s key with sane claims, or why GitHub would refuse it (401). */
function verifyAppJwt(authorization: string | undefined, app: FakeApp): { ok: true } | { ok: false; message: string } {
  const jwt = /^bearer (.+)$/i.exec(authorization ?? '')?.[1];
  const parts = jwt?.split('.') ?? [];
  const [head = '', claims = '', signature = ''] = parts;
  if (parts.length !== 3) return { ok: false, message: 'A JSON web token could not be decoded' };
  let header: { alg?: unknown };
  let payload: { iss?: unknown; iat?: unknown; exp?: unknown };
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as typeof header;
    payload = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as typeof payload;
  } catch {
    return { ok: false, message: 'A JSON web token could not be decoded' };
  }
  if (header.alg !== 'RS256' || !verify('sha256', Buffer.from(`${head}.${claims}`), app.publicKey, Buffer.from(signature, 'base64url'))) {
    return { ok: false, message: 'A JSON web token could not be decoded' };
  }
  const now = Math.floor(Date.now() / 1000);
  const { iss, iat, exp } = payload;
  if (String(iss) !== String(app.appId)) return { ok: false, message: `'Issuer' claim ('iss') must be the App's id` };
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > now + 60) return { ok: false, message: `'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued` };
  if (typeof exp !== 'number' || !Number.isInteger(exp) || exp <= now) return { ok: false, message: `'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires` };
  if (exp - iat > 600) return { ok: false, message: `'Expiration time' claim ('exp') is too far in the future` };
  return { ok: true };
}

const PAGE_DEFAULT = 30;

/** The GitHub account ids of the example foundation's people, as its model records them (`githubId`). */
export const EXAMPLE_ACCOUNTS: Readonly<Record<string, number>> = { 'ana-example': 1001, 'ben-example': 1002, 'cho-example': 1003, 'dev-example': 1004, 'eli-example': 1005, 'fay-example': 1006 };

/** What an extra route module gets for one request (see {@link FakeRoute}). */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  send: (status: number, data: unknown, headers?: Record<string, string>) => void;
  paged: (items: unknown[]) => void;
  /** Where the server is reached (`http://127.0.0.1:PORT`): the origin of the `html_url`s it serves. */
  origin: string;
  writes: FakeGitHub['writes'];
}

/** An extra set of endpoints the server composes (e.g. git refs, contents, pulls): returns true when it answered. */
export type FakeRoute = (request: FakeRequest) => boolean | Promise<boolean>;

/**
 * Starts the server on 127.0.0.1 (`port` 0: any free port) for repository `owner/repo` and one pull
 * request `pull`; `routes` add endpoints (see `fakeRepo`). Without an `app`, any token is accepted.
 */
export async function startFakeGitHub(owner: string, repo: string, pull: FakePull, teams: Record<string, string[]> = {}, pageSize = 2, app?: FakeApp, routes: readonly FakeRoute[] = [], port = 0): Promise<FakeGitHub> {
  const requests: string[] = [];
  const installationTokens: string[] = [];
  const writes: FakeGitHub['writes'] = [];
  const limits: { prefix: string; kind: 'primary' | 'secondary'; left: number }[] = [];
  const checkRuns = new Map<number, Record<string, unknown>>();
  const hooks: { prefix: string; fn: () => void }[] = [];
  const rules = new Map<string, unknown[]>();
  const blobs = new Map<string, string>();
  let nextCheck = 1;
  const prefix = `/repos/${owner}/${repo}`;
  const accounts = new Map(Object.entries(EXAMPLE_ACCOUNTS));
  // Any other login gets an id of its own, the same on every request.
  const accountOf = (login: string): number => accounts.get(login) ?? 100_000 + Number.parseInt(createHash('sha1').update(login).digest('hex').slice(0, 6), 16);

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method ?? 'GET'} ${url.pathname}${url.search}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
    const send = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(data));
    };
    if (app !== undefined) {
      const minting = /^\/app\/installations\/([^/]+)\/access_tokens$/.exec(url.pathname);
      if (minting !== null && req.method === 'POST') {
        const jwt = verifyAppJwt(req.headers.authorization, app);
        if (!jwt.ok) return send(401, { message: jwt.message, documentation_url: 'https://docs.github.com/rest' });
        if (minting[1] !== String(app.installationId)) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        const token = `ghs_${randomBytes(18).toString('hex')}`;
        installationTokens.push(token);
        return send(201, { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { checks: 'write', pull_requests: 'read', issues: 'write' }, repository_selection: 'all' });
      }
      if (url.pathname.startsWith('/repos/') || url.pathname.startsWith('/orgs/')) {
        const presented = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        if (presented === undefined || !installationTokens.includes(presented)) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      }
    }
    const limit = limits.find((l) => l.left > 0 && url.pathname.startsWith(l.prefix));
    if (limit !== undefined) {
      limit.left -= 1;
      if (limit.kind === 'primary') {
        send(403, { message: 'API rate limit exceeded for installation.' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)) });
      } else {
        send(429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '1' });
      }
      return;
    }
    const paged = (items: unknown[]): void => {
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? PAGE_DEFAULT), pageSize);
      const page = Number(url.searchParams.get('page') ?? '1');
      const last = Math.max(1, Math.ceil(items.length / perPage));
      const link = (p: number, rel: string): string => {
        const u = new URL(url.toString());
        u.searchParams.set('page', String(p));
        return `<http://${req.headers.host ?? ''}${u.pathname}${u.search}>; rel="${rel}"`;
      };
      const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
      send(200, items.slice((page - 1) * perPage, page * perPage), links.length > 0 ? { link: links.join(', ') } : {});
    };
    const user = (login: string) => ({ login, id: accountOf(login), type: login.endsWith('[bot]') ? 'Bot' : 'User' });
    const p = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' && p === `${prefix}/pulls/${pull.number}`) {
      const base = pull.base ?? 'main';
      send(200, { number: pull.number, user: user(pull.author), draft: pull.draft ?? false, head: { sha: pull.headSha }, base: { ref: base, sha: createHash('sha1').update(base).digest('hex') }, created_at: pull.createdAt, labels: pull.labels.map((name) => ({ name })), body: pull.body ?? null, changed_files: pull.changedFiles ?? pull.files.length });
    } else if (method === 'GET' && p === `${prefix}/issues/${pull.number}/events`) {
      paged((pull.events ?? []).map((e, i) => ({ id: i + 1, event: e.event, created_at: e.created_at, actor: user(e.actor ?? pull.author) })));
    } else if (method === 'POST' && p === '/graphql') {
      // The adapter's one query: the edit history of comments by node id.
      const ids = ((body['variables'] as { ids?: string[] } | undefined)?.ids ?? []);
      const nodes = ids.map((nodeId) => {
        const c = pull.comments.find((x) => `IC_${x.id}` === nodeId);
        if (c === undefined) return null;
        const edits = [...(c.edits ?? [])].reverse().map((e) => ({ editedAt: e.editedAt, diff: e.diff, editor: { login: e.editor, databaseId: accountOf(e.editor) } }));
        return { id: nodeId, userContentEdits: { nodes: edits } };
      });
      send(200, { data: { nodes } });
    } else if (method === 'GET' && p === `${prefix}/pulls/${pull.number}/files`) {
      const entries = pull.files.slice(0, GITHUB_MAX_LISTED_FILES).map((f) => (typeof f === 'string' ? { filename: f, status: 'modified' } : { status: f.previous_filename === undefined ? 'modified' : 'renamed', ...f }));
      paged(entries);
    } else if (method === 'GET' && p.startsWith(`${prefix}/git/blobs/`)) {
      const sha = p.slice(p.lastIndexOf('/') + 1);
      const text = blobs.get(sha);
      if (text === undefined) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/git/blobs#get-a-blob' });
      const content = Buffer.from(text, 'utf8').toString('base64').replace(/.{60}/g, '$&\n');
      send(200, { sha, node_id: `B_${sha}`, size: Buffer.byteLength(text), url: `${prefix}/git/blobs/${sha}`, content, encoding: 'base64' });
    } else if (method === 'GET' && p === `${prefix}/pulls/${pull.number}/reviews`) {
      paged(pull.reviews.map((r) => ({ ...r, user: user(r.user) })));
    } else if (method === 'GET' && p === `${prefix}/issues/${pull.number}/comments`) {
      paged(pull.comments.map(({ edits: _history, ...c }) => ({ ...c, node_id: `IC_${c.id}`, user: user(c.user) })));
    } else if (method === 'POST' && p === `${prefix}/issues/${pull.number}/comments`) {
      if (String(body['body']).length > GITHUB_MAX_COMMENT_CHARS) return send(422, tooLong);
      writes.push({ route: `POST ${p}`, body });
      const now = githubNow();
      const comment = { id: 900 + pull.comments.length, user: 'github-actions[bot]', body: String(body['body']), created_at: now, updated_at: now };
      pull.comments.push(comment);
      send(201, { ...comment, node_id: `IC_${comment.id}`, user: user(comment.user) });
    } else if (method === 'PATCH' && p.startsWith(`${prefix}/issues/comments/`)) {
      const comment = pull.comments.find((c) => String(c.id) === p.slice(p.lastIndexOf('/') + 1));
      if (comment === undefined) return send(404, { message: 'Not Found' });
      if (String(body['body']).length > GITHUB_MAX_COMMENT_CHARS) return send(422, tooLong);
      writes.push({ route: `PATCH ${p}`, body });
      editComment(comment, String(body['body']), comment.user);
      const { edits: _history, ...shown } = comment;
      send(200, { ...shown, node_id: `IC_${comment.id}`, user: user(comment.user) });
    } else if (method === 'GET' && p.startsWith('/orgs/') && p.endsWith('/members')) {
      const [, , org, , slug] = p.split('/');
      const members = teams[`${org}/${slug}`];
      if (members === undefined) send(404, { message: 'Not Found' });
      else paged(members.map(user));
    } else if (method === 'GET' && p.startsWith(`${prefix}/rules/branches/`)) {
      send(200, rules.get(decodeURIComponent(p.slice(`${prefix}/rules/branches/`.length))) ?? []);
    } else if (method === 'POST' && p === `${prefix}/check-runs`) {
      writes.push({ route: `POST ${p}`, body });
      const id = nextCheck++;
      // A check run belongs to the App whose token created it; a workflow token's App is GitHub Actions (15368).
      const run = { ...body, app: { id: app === undefined ? GITHUB_ACTIONS_APP_ID : app.appId } };
      checkRuns.set(id, run);
      send(201, { id, ...run });
    } else if (method === 'PATCH' && p.startsWith(`${prefix}/check-runs/`)) {
      const id = Number(p.slice(p.lastIndexOf('/') + 1));
      if (!checkRuns.has(id)) return send(404, { message: 'Not Found' });
      writes.push({ route: `PATCH ${p}`, body });
      send(200, { id, ...body });
    } else if (method === 'POST' && p.startsWith(`${prefix}/statuses/`)) {
      writes.push({ route: `POST ${p}`, body });
      send(201, { id: 1, ...body });
    } else {
      for (const route of routes) if (await route({ method, path: p, query: url.searchParams, body, send, paged, origin: `http://${req.headers.host ?? '127.0.0.1'}`, writes })) return;
      send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    }
  };
  function editComment(comment: FakeComment, text: string, editor: string, at?: string): void {
    // GitHub keeps the creation as the first revision of an edited comment's history.
    if (comment.edits === undefined || comment.edits.length === 0) comment.edits = [{ editor: comment.user, editedAt: comment.created_at, diff: comment.body }];
    comment.body = text;
    // GitHub moves updated_at on every edit; a comment edited within its creation second still shows it.
    const now = at ?? githubNow();
    comment.updated_at = now === comment.created_at ? new Date(Date.parse(now) + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : now;
    comment.edits.push({ editor, editedAt: comment.updated_at, diff: text });
  }
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    res.on('finish', () => {
      const hook = hooks.findIndex((h) => path.startsWith(h.prefix));
      if (hook >= 0) hooks.splice(hook, 1)[0]?.fn();
    });
    handler(req, res).catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => (server.off('error', reject), resolve()));
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    writes,
    rateLimit: (pathPrefix, kind, count = 1) => limits.push({ prefix: pathPrefix, kind, left: count }),
    installationTokens,
    accounts,
    rules,
    checkRuns,
    addBlob: (text) => {
      const sha = blobSha(text);
      blobs.set(sha, text);
      return sha;
    },
    editComment: (id, text, editor, at) => {
      const comment = pull.comments.find((c) => c.id === id);
      if (comment === undefined) throw new Error(`no comment ${id}`);
      editComment(comment, text, editor ?? comment.user, at);
    },
    after: (pathPrefix, fn) => hooks.push({ prefix: pathPrefix, fn }),
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e === undefined ? resolve() : reject(e)))),
  };
}
