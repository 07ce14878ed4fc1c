import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { permissions?: Record<string, string>; environment?: string; steps: Step[] }>;
}

const load = (name: string): Workflow => parse(readFileSync(fileURLToPath(new URL(`../workflows/${name}`, import.meta.url)), 'utf8')) as Workflow;
const bot = load('governance.yml');
const relay = load('governance-review.yml');
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps);

/** Events whose workflow runs from a pull request's own commit (its code, its workflow file) with the pull request's context. */
const PR_CODE_EVENTS = ['pull_request', 'pull_request_review', 'pull_request_review_comment'];

describe('the shipped workflows run only the base branch code', () => {
  it('triggers the bot only on events that run the base branch: pull_request_target, issue_comment, workflow_run, schedule, dispatch', () => {
    expect(Object.keys(bot.on).sort()).toEqual(['issue_comment', 'pull_request_target', 'schedule', 'workflow_dispatch', 'workflow_run']);
    for (const event of PR_CODE_EVENTS) expect(bot.on).not.toHaveProperty(event);
  });

  it('checks out the default ref (the base branch on these events), never a pull request ref, and keeps no credentials', () => {
    const checkouts = steps(bot).filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts).toHaveLength(1);
    for (const c of checkouts) {
      expect(c.with ?? {}).not.toHaveProperty('ref');
      expect(c.with ?? {}).not.toHaveProperty('repository');
      expect(c.with?.['persist-credentials']).toBe(false);
    }
  });

  it('puts no event data into a script, where it could inject commands', () => {
    for (const s of [...steps(bot), ...steps(relay)]) expect(s.run ?? '').not.toMatch(/\$\{\{/);
  });

  it('hears reviews through workflow_run of the relay, which has no permissions and runs no repository code', () => {
    expect(bot.on['workflow_run']).toEqual({ workflows: [relay.name], types: ['completed'] });
    expect(Object.keys(relay.on)).toEqual(['pull_request_review']);
    expect(relay.permissions).toEqual({});
    for (const job of Object.values(relay.jobs)) expect(job.permissions ?? {}).toEqual({});
    for (const s of steps(relay)) {
      expect(s.uses ?? 'actions/upload-artifact@').toMatch(/^actions\/upload-artifact@/);
      expect(s.run ?? '').not.toMatch(/npm|npx|node|\.\/|bash /);
    }
    // The bot reads the relay's number as digits only.
    const evaluate = steps(bot).find((s) => s.run?.includes('hearth governance run') === true && s.run.includes('workflow_run'));
    expect(evaluate?.run).toContain('^[0-9]+$');
  });

  it('takes the signing key from an environment, which can be limited to the default branch', () => {
    for (const job of Object.values(bot.jobs)) expect(job.environment).toBe('governance');
  });

  it('grants write access only to the bot job, and only for checks, statuses, its records and their witness comments', () => {
    expect(bot.permissions).toEqual({});
    const writes = Object.values(bot.jobs).flatMap((j) => Object.entries(j.permissions ?? {}).filter(([, v]) => v === 'write').map(([k]) => k));
    expect(writes.sort()).toEqual(['checks', 'contents', 'issues', 'statuses']);
  });
});
