import { GovernanceError } from '../error.js';
import { parseInstant } from '../model/dates.js';
import type { FinalVote, IncompleteFileList, ReviewState, Snapshot } from './snapshot.js';

const STATES: Record<string, ReviewState> = { approve: 'APPROVED', 'request-changes': 'CHANGES_REQUESTED', comment: 'COMMENTED', dismiss: 'DISMISSED' };

/**
 * Adds a hypothetical review, written `user:approve` (or `user:request-changes`, `user:dismiss`), on
 * the head commit at an instant: the simulator's "what if this person approved now".
 */
export function withReview(snapshot: Snapshot, spec: string, at: string): Snapshot {
  const match = /^([A-Za-z0-9-]+(?:\[bot\])?):([a-z-]+)$/.exec(spec);
  const state = match?.[2] === undefined ? undefined : STATES[match[2]];
  if (match?.[1] === undefined || state === undefined) {
    throw new GovernanceError('E_GOV_INPUT', `'${spec}' is not a review; write user:approve, user:request-changes or user:dismiss`);
  }
  return { ...snapshot, reviews: [...snapshot.reviews, { user: match[1], state, commitId: snapshot.headSha, submittedAt: new Date(at).toISOString() }] };
}

/** Parses a saved snapshot, checking the fields the engine relies on; `file` names it in errors. */
export function parseSnapshot(text: string, file: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new GovernanceError('E_GOV_SNAPSHOT', `${file}: not JSON (${(cause as Error).message}); save it again with 'hearth governance eval --save-snapshot'`);
  }
  const s = data as Partial<Snapshot> | null;
  const problems: string[] = [];
  if (s === null || typeof s !== 'object') problems.push('is not an object');
  else {
    if (s.version !== 1) problems.push('has no version 1');
    for (const key of ['repository', 'author', 'headSha', 'openedAt'] as const) if (typeof s[key] !== 'string') problems.push(`has no string '${key}'`);
    if (typeof s.number !== 'number') problems.push("has no number 'number'");
    for (const key of ['labels', 'files', 'reviews', 'commands'] as const) if (!Array.isArray(s[key])) problems.push(`has no list '${key}'`);
    if (typeof s.openedAt === 'string' && parseInstant(s.openedAt) === undefined) problems.push("has an 'openedAt' that is not an ISO instant with a zone");
    const inc = s.incompleteFiles as Partial<IncompleteFileList> | undefined;
    if (inc !== undefined && (typeof inc !== 'object' || inc === null || typeof inc.listed !== 'number' || typeof inc.changed !== 'number')) problems.push("has an 'incompleteFiles' without numbers 'listed' and 'changed'");
    const fv = s.finalVote as Partial<FinalVote> | undefined;
    const outcomes = ['met', 'failed'];
    if (fv !== undefined && (typeof fv !== 'object' || fv === null || typeof fv.closesAt !== 'string' || typeof fv.tally !== 'object' || fv.tally === null || !outcomes.includes(String(fv.quorum)) || !outcomes.includes(String(fv.threshold)))) {
      problems.push("has a 'finalVote' without 'closesAt', 'tally', 'quorum' and 'threshold'");
    }
  }
  if (problems.length > 0) {
    throw new GovernanceError('E_GOV_SNAPSHOT', `${file}: the snapshot ${problems.join(', ')}; save it again with 'hearth governance eval --save-snapshot'`);
  }
  return data as Snapshot;
}
