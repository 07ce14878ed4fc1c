import { createHmac, timingSafeEqual } from 'node:crypto';
import { GovernanceError } from '../error.js';
import { frozenWith } from '../engine/freeze.js';
import type { FinalVote, FrozenDecision } from '../engine/snapshot.js';
import { canonicalJson } from '../model/hash.js';
import type { Policy } from '../model/types.js';

/**
 * The frozen decision as the bot records it on a pull request: small, since the policy is named by
 * its git blob hash (the base commit's policy file, which GitHub serves back by that hash) and its
 * content hash, and signed as a whole with a key only the bot holds, so that editing any field
 * (the opening instant, the decision type, the subject) is detected.
 */
export interface FrozenRecord {
  /** Record format; 2 (the first format carried the whole model and no signature). */
  version: 2;
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

/** Signs a frozen decision into the record the bot stores, naming the policy by `policy.blobSha`. */
export function signRecord(frozen: FrozenDecision, policy: Policy, key: string): FrozenRecord {
  const fields: Omit<FrozenRecord, 'signature'> = {
    version: 2,
    decision: frozen.decision,
    openedAt: frozen.openedAt,
    policyHash: frozen.policyHash,
    policyBlob: policy.blobSha,
    policyFile: frozen.file,
    ...(frozen.subject === undefined ? {} : { subject: frozen.subject }),
    ...(frozen.applicant === undefined ? {} : { applicant: frozen.applicant }),
  };
  return { ...fields, signature: hmac(fields, key) };
}

/**
 * Checks a record read back from a comment: its shape and, given the key, its signature over every
 * field. Without a key (a person evaluating with `hearth governance eval`) the shape is checked only.
 */
export function verifyRecord(data: unknown, key: string | undefined): FrozenRecord {
  const refuse = (what: string): never => {
    throw new GovernanceError('E_GOV_FROZEN', `the bot's record of this decision ${what}; it cannot be trusted, so the decision cannot go on: open a new pull request`);
  };
  const r = data as Partial<Record<keyof FrozenRecord, unknown>> | null;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return refuse('is not an object');
  if (r.version !== 2) refuse('is not of record version 2');
  for (const field of ['decision', 'openedAt', 'policyHash', 'policyBlob', 'policyFile', 'signature'] as const) if (typeof r[field] !== 'string') refuse(`has no string '${field}'`);
  for (const field of ['subject', 'applicant'] as const) if (r[field] !== undefined && typeof r[field] !== 'string') refuse(`has a '${field}' that is not a string`);
  const known = new Set(['version', 'decision', 'openedAt', 'policyHash', 'policyBlob', 'policyFile', 'subject', 'applicant', 'signature']);
  const extra = Object.keys(r).find((k) => !known.has(k));
  if (extra !== undefined) refuse(`has an unknown field '${extra}'`);
  const record = r as FrozenRecord;
  if (key !== undefined && !signedBy(record, key)) refuse("does not carry the bot's signature: it was altered, or signed with another key");
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
export interface FinalVoteRecord extends FinalVote {
  /** Record format; 2. */
  version: 2;
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
export function signFinalVote(frozen: FrozenDecision, outcome: FinalVote, key: string): FinalVoteRecord {
  const fields = { version: 2 as const, kind: 'final-vote' as const, decision: frozen.decision, openedAt: frozen.openedAt, ...outcome };
  return { ...fields, signature: hmac(fields, key) };
}

/**
 * The outcome a final-vote record holds, checked: its shape, that it belongs to this decision, and,
 * given the key, its signature.
 */
export function verifyFinalVote(data: unknown, frozen: FrozenDecision, key: string | undefined): FinalVote {
  const refuse = (what: string): never => {
    throw new GovernanceError('E_GOV_FROZEN', `the bot's record of this vote's outcome ${what}; it cannot be trusted, so the decision cannot go on: open a new pull request`);
  };
  const r = data as Partial<FinalVoteRecord> | null;
  if (r === null || typeof r !== 'object' || r.version !== 2 || r.kind !== 'final-vote') return refuse('is not a final-vote record of version 2');
  const t = r.tally as Partial<Record<string, unknown>> | undefined;
  const counts = ['yes', 'no', 'abstain', 'eligible', 'denominator'];
  if (typeof r.closesAt !== 'string' || typeof r.signature !== 'string' || t === undefined || t === null || typeof t !== 'object' || counts.some((c) => typeof t[c] !== 'number') || !Array.isArray(t['electorate'])) refuse('is malformed');
  if (!['met', 'failed'].includes(String(r.quorum)) || !['met', 'failed'].includes(String(r.threshold))) refuse('has no outcome');
  if (r.decision !== frozen.decision || r.openedAt !== frozen.openedAt) refuse('belongs to another decision');
  const record = r as FinalVoteRecord;
  if (key !== undefined && !signedBy(record, key)) refuse("does not carry the bot's signature: it was altered, or signed with another key");
  return { closesAt: record.closesAt, tally: record.tally, quorum: record.quorum, threshold: record.threshold };
}

/** The frozen decision a verified record stands for, given the policy fetched back by its blob hash. */
export function frozenFromRecord(record: FrozenRecord, policy: Policy): FrozenDecision {
  if (policy.blobSha !== record.policyBlob || policy.hash !== record.policyHash) {
    throw new GovernanceError('E_GOV_FROZEN', `the policy fetched for this decision (blob ${policy.blobSha}, ${policy.hash}) is not the one recorded (blob ${record.policyBlob}, ${record.policyHash}); open a new pull request`);
  }
  return frozenWith(policy, record);
}
