// A repository's git refs, file contents and pull requests, as GitHub's REST API serves them, composed
// into the GitHub-compatible server by `startFakeGitHub(..., routes)`.
import { createHash } from 'node:crypto';
import { GITHUB_MAX_LISTED_FILES, type FakeRoute } from './server.js';

interface Pull {
  number: number;
  title: string;
  body: string;
  head: string;
  /** The repository the head branch is in (a fork's owner), when not this one. */
  headOwner?: string;
  base: string;
}

interface RepoState {
  owner: string;
  repo: string;
  branches: Map<string, Map<string, Buffer>>;
  commits: Map<string, string>;
  /** Every commit's files, by sha: `GET contents?ref=<sha>` reads them as GitHub does. */
  snapshots: Map<string, Map<string, Buffer>>;
}

/** A repository held in memory: branches of files, and the pull requests opened between them. */
export interface FakeRepo {
  /** The endpoints, for `startFakeGitHub`'s `routes`. */
  route: FakeRoute;
  /** Files per branch. */
  branches: Map<string, Map<string, Buffer>>;
  /** Pull requests opened, by number. */
  pulls: Map<number, Pull>;
  /** The head commit of a branch. */
  headSha(branch: string): string;
  /** Pushes a commit to a branch: `files` written (a null content deletes); returns its sha. */
  push(branch: string, files: Record<string, string | null>): string;
  /**
   * A fork owned by `owner` (its branches copied), whose branches pull requests to this repository may
   * name as `owner:branch`; compose its `route` into the server too.
   */
  fork(owner: string): FakeRepo;
}

const sha1 = (data: string | Buffer): string => createHash('sha1').update(data).digest('hex');

/** A repository `owner/repo` with a `main` branch holding `files`; pull request numbers start at `firstPull`. */
export function fakeRepo(owner: string, repo: string, files: Record<string, string> = {}, firstPull = 100): FakeRepo {
  const main = new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
  const state: RepoState = { owner, repo, branches: new Map([['main', main]]), commits: new Map([['main', sha1('main')]]), snapshots: new Map([[sha1('main'), new Map(main)]]) };
  return repoOf(state, new Map([[owner, state]]), firstPull);
}

function repoOf(state: RepoState, network: Map<string, RepoState>, firstPull: number): FakeRepo {
  const { owner, repo, branches, commits, snapshots } = state;
  const prefix = `/repos/${owner}/${repo}`;
  const pulls = new Map<number, Pull>();
  let nextPull = firstPull;
  const headSha = (branch: string): string => commits.get(branch) ?? '';
  const headOf = (p: Pull): RepoState => network.get(p.headOwner ?? owner) ?? state;
  const changed = (pull: Pull): string[] => {
    const head = headOf(pull).branches.get(pull.head) ?? new Map();
    const base = branches.get(pull.base) ?? new Map();
    return [...head.keys()].filter((f) => !base.has(f) || !base.get(f)!.equals(head.get(f)!)).sort();
  };
  const repoJson = (s: RepoState) => ({ name: s.repo, full_name: `${s.owner}/${s.repo}`, owner: { login: s.owner }, fork: s !== network.values().next().value });
  // A pull request's page is on the server that serves it, as on GitHub Enterprise: never github.com.
  const pullJson = (p: Pull, origin: string) => ({
    number: p.number, title: p.title, body: p.body, state: 'open', html_url: `${origin}/${owner}/${repo}/pull/${p.number}`, changed_files: changed(p).length,
    head: { ref: p.head, sha: headOf(p).commits.get(p.head) ?? '', label: `${headOf(p).owner}:${p.head}`, repo: repoJson(headOf(p)) },
    base: { ref: p.base, sha: headSha(p.base), repo: repoJson(state) },
  });
  const commit = (branch: string, changes: [string, Buffer | null][]): void => {
    const files = branches.get(branch)!;
    for (const [file, data] of changes) {
      if (data === null) files.delete(file);
      else files.set(file, data);
    }
    commits.set(branch, sha1(`${headSha(branch)}${changes.map(([file, data]) => `${file}${data === null ? '-' : sha1(data)}`).join('')}`));
    snapshots.set(headSha(branch), new Map(files));
  };

  const route: FakeRoute = ({ method, path, query, body, send, paged, origin, writes }) => {
    if (!path.startsWith(`${prefix}/`)) return false;
    // Octokit sends `heads%2Fmain` for a ref; GitHub takes both spellings.
    const rest = decodeURIComponent(path.slice(prefix.length));
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/git\/ref\/heads\/(.+)$/.exec(rest))) {
      const sha = commits.get(m[1]!);
      if (sha === undefined) send(404, { message: 'Not Found' });
      else send(200, { ref: `refs/heads/${m[1]}`, object: { sha, type: 'commit' } });
      return true;
    }
    if (method === 'POST' && rest === '/git/refs') {
      writes.push({ route: `POST ${path}`, body });
      const ref = String(body['ref'] ?? '');
      const from = [...commits].find(([, sha]) => sha === body['sha']);
      if (!ref.startsWith('refs/heads/') || from === undefined) return (send(422, { message: 'Invalid request' }), true);
      const branch = ref.slice('refs/heads/'.length);
      if (commits.has(branch)) return (send(422, { message: 'Reference already exists' }), true);
      branches.set(branch, new Map(branches.get(from[0])));
      commits.set(branch, from[1]);
      send(201, { ref, object: { sha: from[1], type: 'commit' } });
      return true;
    }
    if ((m = /^\/contents\/(.+)$/.exec(rest))) {
      const file = m[1]!;
      if (method === 'GET') {
        const ref = query.get('ref') ?? 'main';
        const data = (branches.get(ref) ?? snapshots.get(ref))?.get(file);
        if (data === undefined) send(404, { message: 'Not Found' });
        else send(200, { type: 'file', path: file, sha: sha1(data), size: data.length, encoding: 'base64', content: data.toString('base64') });
        return true;
      }
      if (method === 'PUT') {
        writes.push({ route: `PUT ${path}`, body });
        const branch = String(body['branch'] ?? 'main');
        const files = branches.get(branch);
        if (files === undefined) return (send(404, { message: `Branch ${branch} not found` }), true);
        const old = files.get(file);
        if (old !== undefined && body['sha'] !== sha1(old)) return (send(422, { message: '"sha" wasn\'t supplied.' }), true);
        const data = Buffer.from(String(body['content'] ?? ''), 'base64');
        commit(branch, [[file, data]]);
        send(old === undefined ? 201 : 200, { content: { path: file, sha: sha1(data) }, commit: { sha: headSha(branch) } });
        return true;
      }
    }
    if (method === 'POST' && rest === '/pulls') {
      writes.push({ route: `POST ${path}`, body });
      const [headOwner, head] = String(body['head'] ?? '').includes(':') ? String(body['head']).split(':', 2) as [string, string] : [owner, String(body['head'] ?? '')];
      const base = String(body['base'] ?? '');
      if (!network.get(headOwner)?.commits.has(head) || !commits.has(base)) return (send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: commits.has(head) ? 'base' : 'head', code: 'invalid' }] }), true);
      const pull: Pull = { number: nextPull++, title: String(body['title'] ?? ''), body: String(body['body'] ?? ''), head, base, ...(headOwner === owner ? {} : { headOwner }) };
      pulls.set(pull.number, pull);
      send(201, pullJson(pull, origin));
      return true;
    }
    if (method === 'GET' && (m = /^\/pulls\/(\d+)(\/files)?$/.exec(rest))) {
      const pull = pulls.get(Number(m[1]));
      if (pull === undefined) return false;
      // GitHub lists at most 3000 files; `changed_files` still counts them all.
      if (m[2]) paged(changed(pull).slice(0, GITHUB_MAX_LISTED_FILES).map((filename) => ({ filename, status: branches.get(pull.base)?.has(filename) ? 'modified' : 'added' })));
      else send(200, pullJson(pull, origin));
      return true;
    }
    return false;
  };
  const push = (branch: string, files: Record<string, string | null>): string => {
    commit(branch, Object.entries(files).map(([file, text]) => [file, text === null ? null : Buffer.from(text)]));
    return headSha(branch);
  };
  const fork = (forkOwner: string): FakeRepo => {
    const copy: RepoState = { owner: forkOwner, repo, branches: new Map([...branches].map(([b, f]) => [b, new Map(f)])), commits: new Map(commits), snapshots: new Map(snapshots) };
    network.set(forkOwner, copy);
    return repoOf(copy, network, firstPull);
  };
  return { route, branches, pulls, headSha, push, fork };
}
