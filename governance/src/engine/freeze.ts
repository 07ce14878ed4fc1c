import { GovernanceError } from '../error.js';
import { parseInstant } from '../model/dates.js';
import { contentHash } from '../model/hash.js';
import { assertModel } from '../model/load.js';
import { sameLogin } from '../model/query.js';
import type { DecisionType, GovernanceModel, Policy } from '../model/types.js';
import { globMatcher } from './paths.js';
import type { FrozenDecision, Snapshot } from './snapshot.js';

/**
 * Selects the decision type of a snapshot: the most demanding (highest `rank`) of the type its label
 * selects (the model's default without one) and the types its touched modules require (`requires`),
 * so the author's choice of label never lowers what a change needs: an unlabelled change to the
 * governance module is still a charter change. A required type wins a tie with the default type (the
 * fallback of an unlabelled change). Two decision labels at once are ambiguous and refused, as are a
 * label's type and a required type, or two required types, of the same, highest rank.
 */
export function selectDecision(model: GovernanceModel, labels: readonly string[], files: readonly string[] = []): number {
  return chooseDecision(model, labels, files).index;
}

/** The chosen decision type's index, and the modules that required it when a label did not select it. */
export function chooseDecision(model: GovernanceModel, labels: readonly string[], files: readonly string[]): { index: number; requiredBy: string[] } {
  const labelled = model.decisions.map((d, i) => [d, i] as const).filter(([d]) => d.label !== undefined && labels.includes(d.label));
  if (labelled.length > 1) {
    throw new GovernanceError('E_GOV_DECISION_TYPE', `the pull request carries labels of ${labelled.length} decision types (${labelled.map(([d]) => d.label).join(', ')}); keep exactly one`);
  }
  const chosen = labelled[0]?.[1] ?? model.decisions.findIndex((d) => d.id === model.defaultDecision);
  if (chosen < 0) throw new GovernanceError('E_GOV_DECISION_TYPE', `the default decision type '${model.defaultDecision}' is not defined; add it to decisions`);
  const required = model.modules.filter((m) => m.requires !== undefined && files.some(globMatcher(m.paths)));
  // The default type is the fallback for a change nobody labelled: any type a module requires wins a tie with it.
  let best = { index: chosen, rank: model.decisions[chosen]?.rank ?? 0, requiredBy: [] as string[], fallback: labelled.length === 0 };
  for (const m of required) {
    const index = model.decisions.findIndex((d) => d.id === m.requires);
    if (index < 0) throw new GovernanceError('E_GOV_DECISION_TYPE', `module '${m.id}' requires decision type '${m.requires ?? ''}', which is not defined; add it to decisions`);
    const rank = model.decisions[index]?.rank ?? 0;
    if (index === best.index) best = { ...best, requiredBy: [...best.requiredBy, m.id], fallback: false };
    else if (rank > best.rank || (rank === best.rank && best.fallback)) best = { index, rank, requiredBy: [m.id], fallback: false };
    else if (rank === best.rank) {
      throw new GovernanceError('E_GOV_DECISION_TYPE', `module '${m.id}' requires decision type '${m.requires ?? ''}', and '${model.decisions[best.index]?.id ?? ''}' applies too with the same rank (${rank}); give the decision types different ranks so the more demanding one wins, or split the pull request`);
    }
  }
  return { index: best.index, requiredBy: best.index === chosen ? [] : best.requiredBy };
}

/**
 * The decision type a frozen decision must be upgraded to, if any: the type the labels and files
 * select now under the policy in force, when that policy ranks it above the frozen type. A type is
 * never lowered after freezing; a stricter one opens a new decision of that type (the bot freezes
 * it anew, opening then), so its voters and objectors get their whole window.
 */
export function upgradeOf(frozen: FrozenDecision, policy: Policy, labels: readonly string[], files: readonly string[]): string | undefined {
  let now: DecisionType | undefined;
  try {
    now = policy.model.decisions[selectDecision(policy.model, labels, files)];
  } catch (e) {
    if (e instanceof GovernanceError) return undefined;
    throw e;
  }
  if (now === undefined || now.id === frozen.decision) return undefined;
  const was = policy.model.decisions.find((d) => d.id === frozen.decision) ?? frozen.model.decisions.find((d) => d.id === frozen.decision);
  return (now.rank ?? 0) > (was?.rank ?? 0) ? now.id : undefined;
}

/**
 * Where a decision's subject and applicant come from, so that a missing one is asked for there: the pull
 * request's description (the bot, `eval`) or the snapshot's own fields (`simulate` replays a file).
 */
export type FieldSource = 'description' | 'snapshot';

/** How to name the subject or applicant in each source. */
const HOW_TO_SET: Readonly<Record<FieldSource, Readonly<Record<'subject' | 'applicant', string>>>> = {
  description: { subject: "add a line 'Subject: @login' to the pull request's description", applicant: "add a line 'Applicant: <organisation id>' to the pull request's description" },
  snapshot: { subject: 'set the snapshot\'s "subject" field to their GitHub login (e.g. "subject": "ana")', applicant: 'set the snapshot\'s "applicant" field to the organisation id (e.g. "applicant": "acme")' },
};

/**
 * Checks that a decision has the fields its rule recuses by: a `subject` (a person of the model) for
 * `subject` and `subject-group` recusal, an `applicant` (an organisation of the model) for
 * `applicant-group`. Without them nobody would be recused, silently. `from` says where the user sets them.
 */
export function checkDecisionFields(model: GovernanceModel, decision: DecisionType, subject: string | undefined, applicant: string | undefined, from: FieldSource = 'description'): void {
  const recuse = decision.rule?.vote?.recuse ?? [];
  const refuse = (message: string): never => {
    throw new GovernanceError('E_GOV_DECISION_FIELDS', `decision type '${decision.id}' ${message}`);
  };
  const how = HOW_TO_SET[from];
  if (recuse.includes('subject') || recuse.includes('subject-group')) {
    if (subject === undefined) refuse(`recuses the person it is about; ${how.subject}`);
    else if (!model.people.some((p) => sameLogin(p.github, subject))) refuse(`is about @${subject}, who is not in the model's people; name a person of the model (${how.subject})`);
  }
  if (recuse.includes('applicant-group')) {
    if (applicant === undefined) refuse(`recuses the applicant's company group; ${how.applicant}`);
    else if (!model.organisations.some((o) => o.id === applicant)) refuse(`names applicant '${applicant}', which is not in the model's organisations; name an organisation of the model (${how.applicant})`);
  }
}

/**
 * Freezes a decision as it opens to review (`openedAt`, by default the snapshot's): the decision type, the opening instant, the subject and applicant
 * (the inputs its electorate depends on) and the whole model with its content hash. From then on the
 * frozen copy decides, so later changes to the model or to the description cannot change it.
 */
export function freezeDecision(snapshot: Snapshot, policy: Policy, openedAt: string = snapshot.openedAt): FrozenDecision {
  const index = selectDecision(policy.model, snapshot.labels, snapshot.files);
  const decision = policy.model.decisions[index] as DecisionType;
  checkDecisionFields(policy.model, decision, snapshot.subject, snapshot.applicant);
  return frozenWith(policy, { decision: decision.id, openedAt, subject: snapshot.subject, applicant: snapshot.applicant });
}

/** What a frozen decision holds besides its policy. */
export interface FrozenFields {
  /** The decision type's id. */
  readonly decision: string;
  /** When it opened (ISO instant). */
  readonly openedAt: string;
  /** The person it is about, if any. */
  readonly subject?: string | undefined;
  /** The organisation applying, if any. */
  readonly applicant?: string | undefined;
}

/** A frozen decision of a policy: the policy's model, file, lines and hash, with the decision's fields. */
export function frozenWith(policy: Policy, fields: FrozenFields): FrozenDecision {
  return {
    decision: fields.decision,
    openedAt: fields.openedAt,
    policyHash: policy.hash,
    model: policy.model,
    file: policy.file,
    lines: { ...policy.lines },
    ...(fields.subject === undefined ? {} : { subject: fields.subject }),
    ...(fields.applicant === undefined ? {} : { applicant: fields.applicant }),
  };
}

/**
 * Checks a frozen decision read back from storage: its shape, its hash, and that its model is still a
 * valid model. It comes from a snapshot file or was rebuilt from a signed record, so an altered or
 * malformed copy is refused rather than trusted to replay.
 */
export function verifyFrozen(frozen: unknown): asserts frozen is FrozenDecision {
  const refuse = (what: string): never => {
    throw new GovernanceError('E_GOV_FROZEN', `the frozen policy of this decision ${what}; restore it from the bot's record`);
  };
  const f = frozen as Partial<Record<keyof FrozenDecision, unknown>> | null;
  if (f === null || typeof f !== 'object') return refuse('is not an object');
  for (const key of ['decision', 'openedAt', 'policyHash', 'file'] as const) if (typeof f[key] !== 'string') refuse(`has no string '${key}'`);
  if (parseInstant(f.openedAt as string) === undefined) refuse(`has an 'openedAt' that is not an ISO instant`);
  for (const key of ['subject', 'applicant'] as const) if (f[key] !== undefined && typeof f[key] !== 'string') refuse(`has a '${key}' that is not a string`);
  if (f.lines === null || typeof f.lines !== 'object') refuse(`has no 'lines'`);
  if (f.model === undefined) refuse(`has no 'model'`);
  const actual = contentHash(f.model);
  if (actual !== f.policyHash) refuse(`hashes to ${actual}, not the recorded ${String(f.policyHash)}: it was altered`);
  try {
    assertModel(f.model, f.file as string, f.lines as Record<string, number>);
  } catch (e) {
    if (!(e instanceof GovernanceError)) throw e;
    refuse(`is not a valid model (${e.message})`);
  }
}
