import { createHmac, timingSafeEqual } from 'node:crypto';
import { GovernanceError } from '../error.js';
import { frozenWith } from '../engine/freeze.js';
import type { FinalVote, FrozenDecision } from '../engine/snapshot.js';
import { canonicalJson } from '../model/hash.js';
import type { Policy } from '../model/types.js';

/**
 * Where a decision lives: the repository, the pull request and the base branch it targets. Every
 * record is signed with it, so a record is about one decision only: copied to another pull request,
 * another repository sharing the key, or kept across a retarget, it is refused.
 */
export interface RecordContext {
  /** Repository owner. */
  owner: string;
  /** Repository name. */
  repo: string;
  /** Pull request number. */
  number: number;
  /** The base branch the pull request targeted when the decision opened. */
  base: string;
}

/**
 * The frozen decision as the bot records it: small, since the policy is named by its git blob hash
 * (the base commit's policy file, which GitHub serves back by that hash) and its content hash, and
 * signed as a whole with a key only the bot holds, so that editing any field (the pull request it
 * belongs to, the opening instant, the decision type, the subject) is detected.
 */
export interface FrozenRecord extends RecordContext {
  /** Record format; 3 (version 2 did not name its repository, pull request and base, so it could be copied). */
  version: 3;
  /** The decision type chosen when it opened. */
  decision: string;
  /** When it opened (ISO instant). */
  openedAt: string;
  /** Content hash of the policy's model. */
  policyHash: string;
  /** Git blob hash of the policy file's text. */
  policyBlob: string;
  /** The policy file's path, for explanations. */
  policyFile: string;
  /** The person the decision is about, as named when it opened. */
  subject?: string;
  /** The organisation applying, as named when it opened. */
  applicant?: string;
  /** The decision type of the decision this one replaced, when a stricter type applied after freezing. */
  upgradedFrom?: string;
  /** `hmac-sha256:` and the hex HMAC, under the bot's key, of the canonical JSON of every other field. */
  signature: string;
}

/** The shortest signing key taken: an HMAC key needs as much entropy as its hash's output to be worth it. */
export const MIN_KEY_LENGTH = 32;

function hmac(fields: object, key: string | undefined): string {
  if (typeof key !== 'string' || key.length < MIN_KEY_LENGTH) {
    throw new GovernanceError('E_GOV_INPUT', `the bot's signing key (HEARTH_GOVERNANCE_KEY) ${typeof key === 'string' ? `has ${key.length} characters` : 'is missing'}; use a random secret of at least ${MIN_KEY_LENGTH} characters, e.g. 'openssl rand -hex 32'`);
  }
  return `hmac-sha256:${createHmac('sha256', key).update(canonicalJson(fields)).digest('hex')}`;
}

/** Signs a frozen decision of the pull request `at` into the record the bot stores, naming the policy by `policy.blobSha`. */
export function signRecord(frozen: FrozenDecision, policy: Policy, key: string, at: RecordContext, upgradedFrom?: string): FrozenRecord {
  const fields: Omit<FrozenRecord, 'signature'> = {
    version: 3,
    owner: at.owner,
    repo: at.repo,
    number: at.number,
    base: at.base,
    decision: frozen.decision,
    openedAt: frozen.openedAt,
    policyHash: frozen.policyHash,
    policyBlob: policy.blobSha,
    policyFile: frozen.file,
    ...(frozen.subject === undefined ? {} : { subject: frozen.subject }),
    ...(frozen.applicant === undefined ? {} : { applicant: frozen.applicant }),
    ...(upgradedFrom === undefined ? {} : { upgradedFrom }),
  };
  return { ...fields, signature: hmac(fields, key) };
}

/** Refuses a record that names another repository, pull request or base than the decision's own. */
function checkContext(record: RecordContext, at: RecordContext, refuse: (what: string) => never): void {
  if (record.owner !== at.owner || record.repo !== at.repo || record.number !== at.number) {
    refuse(`belongs to ${record.owner}/${record.repo}#${record.number}, not ${at.owner}/${at.repo}#${at.number}: a record from elsewhere decides nothing here`);
  }
  if (record.base !== at.base) refuse(`was made while the pull request targeted '${record.base}', and it now targets '${at.base}': a decision is about one base`);
}

/**
 * Checks a record read back from a comment: its shape and, given the key, its signature over every
 * field. Without a key (a person evaluating with `hearth governance eval`) the shape is checked only.
 */
export function verifyRecord(data: unknown, key: string | undefined, at: RecordContext): FrozenRecord {
  const refuse = (what: string): never => {
    throw new GovernanceError('E_GOV_FROZEN', `the bot's record of this decision ${what}; it cannot be trusted, so the decision cannot go on: open a new pull request`);
  };
  const r = data as Partial<Record<keyof FrozenRecord, unknown>> | null;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return refuse('is not an object');
  if (r.version !== 3) refuse('is not of record version 3 (one that names its repository, pull request and base)');
  for (const field of ['owner', 'repo', 'base', 'decision', 'openedAt', 'policyHash', 'policyBlob', 'policyFile', 'signature'] as const) if (typeof r[field] !== 'string') refuse(`has no string '${field}'`);
  if (typeof r.number !== 'number') refuse("has no number 'number'");
  for (const field of ['subject', 'applicant', 'upgradedFrom'] as const) if (r[field] !== undefined && typeof r[field] !== 'string') refuse(`has a '${field}' that is not a string`);
  const known = new Set(['version', 'owner', 'repo', 'number', 'base', 'decision', 'openedAt', 'policyHash', 'policyBlob', 'policyFile', 'subject', 'applicant', 'upgradedFrom', 'signature']);
  const extra = Object.keys(r).find((k) => !known.has(k));
  if (extra !== undefined) refuse(`has an unknown field '${extra}'`);
  const record = r as FrozenRecord;
  if (key !== undefined && !signedBy(record, key)) refuse("does not carry the bot's signature: it was altered, or signed with another key");
  checkContext(record, at, refuse);
  return record;
}

/** True when a record's `signature` is the HMAC of its other fields under `key`. */
function signedBy(record: { signature: string }, key: string): boolean {
  const { signature, ...fields } = record;
  const expected = Buffer.from(hmac(fields, key));
  const actual = Buffer.from(signature);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The bot's record of a vote's outcome at its close, signed like the frozen decision. */
export interface FinalVoteRecord extends FinalVote, RecordContext {
  /** Record format; 3. */
  version: 3;
  /** Marks the record's kind. */
  kind: 'final-vote';
  /** The decision type it closes. */
  decision: string;
  /** When that decision opened (ISO instant), tying the record to the decision. */
  openedAt: string;
  /** `hmac-sha256:` and the hex HMAC, under the bot's key, of the canonical JSON of every other field. */
  signature: string;
}

/** Signs a vote's outcome at its close into the record the bot stores. */
export function signFinalVote(frozen: FrozenDecision, outcome: FinalVote, key: string, at: RecordContext): FinalVoteRecord {
  const fields = { version: 3 as const, kind: 'final-vote' as const, owner: at.owner, repo: at.repo, number: at.number, base: at.base, decision: frozen.decision, openedAt: frozen.openedAt, ...outcome };
  return { ...fields, signature: hmac(fields, key) };
}

/**
 * The outcome a final-vote record holds, checked: its shape, that it belongs to this decision, and,
 * given the key, its signature.
 */
export function verifyFinalVote(data: unknown, frozen: FrozenDecision, key: string | undefined, at: RecordContext): FinalVote {
  const refuse = (what: string): never => {
    throw new GovernanceError('E_GOV_FROZEN', `the bot's record of this vote's outcome ${what}; it cannot be trusted, so the decision cannot go on: open a new pull request`);
  };
  const r = data as Partial<FinalVoteRecord> | null;
  if (r === null || typeof r !== 'object' || r.version !== 3 || r.kind !== 'final-vote') return refuse('is not a final-vote record of version 3');
  const t = r.tally as Partial<Record<string, unknown>> | undefined;
  const counts = ['yes', 'no', 'abstain', 'eligible', 'denominator'];
  if (typeof r.closesAt !== 'string' || typeof r.signature !== 'string' || t === undefined || t === null || typeof t !== 'object' || counts.some((c) => typeof t[c] !== 'number') || !Array.isArray(t['electorate'])) refuse('is malformed');
  if (!['met', 'failed'].includes(String(r.quorum)) || !['met', 'failed'].includes(String(r.threshold))) refuse('has no outcome');
  if (r.decision !== frozen.decision || r.openedAt !== frozen.openedAt) refuse('belongs to another decision');
  const record = r as FinalVoteRecord;
  if (key !== undefined && !signedBy(record, key)) refuse("does not carry the bot's signature: it was altered, or signed with another key");
  checkContext(record, at, refuse);
  return { closesAt: record.closesAt, tally: record.tally, quorum: record.quorum, threshold: record.threshold };
}

/** The frozen decision a verified record stands for, given the policy fetched back by its blob hash. */
export function frozenFromRecord(record: FrozenRecord, policy: Policy): FrozenDecision {
  if (policy.blobSha !== record.policyBlob || policy.hash !== record.policyHash) {
    throw new GovernanceError('E_GOV_FROZEN', `the policy fetched for this decision (blob ${policy.blobSha}, ${policy.hash}) is not the one recorded (blob ${record.policyBlob}, ${record.policyHash}); open a new pull request`);
  }
  return frozenWith(policy, record);
}

/**
 * The account ids the bot pinned for logins the model gives no `githubId`, each at the first input
 * it saw from that login on this decision; signed with the decision's context like every record.
 */
export interface IdentityRecord extends RecordContext {
  /** Record format; 3. */
  version: 3;
  /** Marks the record's kind. */
  kind: 'identities';
  /** Login (lower case) → account id. */
  ids: Record<string, number>;
  /** `hmac-sha256:` and the hex HMAC, under the bot's key, of the canonical JSON of every other field. */
  signature: string;
}

/** Signs the pinned account ids of a decision. */
export function signIdentities(ids: Record<string, number>, key: string, at: RecordContext): IdentityRecord {
  const fields = { version: 3 as const, kind: 'identities' as const, owner: at.owner, repo: at.repo, number: at.number, base: at.base, ids };
  return { ...fields, signature: hmac(fields, key) };
}

/** The pinned account ids of an identity record, checked: its shape, its context and, given the key, its signature. */
export function verifyIdentities(data: unknown, key: string | undefined, at: RecordContext): Record<string, number> {
  const refuse = (what: string): never => {
    throw new GovernanceError('E_GOV_FROZEN', `the bot's record of the accounts on this decision ${what}; it cannot be trusted, so the decision cannot go on: open a new pull request`);
  };
  const r = data as Partial<IdentityRecord> | null;
  if (r === null || typeof r !== 'object' || r.version !== 3 || r.kind !== 'identities' || typeof r.signature !== 'string') return refuse('is not an identity record of version 3');
  const ids = r.ids as unknown;
  if (ids === null || typeof ids !== 'object' || Object.values(ids).some((v) => typeof v !== 'number')) refuse('is malformed');
  const record = r as IdentityRecord;
  if (key !== undefined && !signedBy(record, key)) refuse("does not carry the bot's signature: it was altered, or signed with another key");
  checkContext(record, at, refuse);
  return record.ids;
}
