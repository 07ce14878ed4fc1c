import { GovernanceError } from '../error.js';
import { contentHash } from '../model/hash.js';
import { assertModel } from '../model/load.js';
import type { GovernanceModel, Policy } from '../model/types.js';
import type { FrozenDecision, Snapshot } from './snapshot.js';

/**
 * Selects the decision type of a snapshot: the type whose label it carries, else the model's default.
 * Two decision labels at once are ambiguous and refused.
 */
export function selectDecision(model: GovernanceModel, labels: readonly string[]): number {
  const labelled = model.decisions.map((d, i) => [d, i] as const).filter(([d]) => d.label !== undefined && labels.includes(d.label));
  if (labelled.length > 1) {
    throw new GovernanceError('E_GOV_DECISION_TYPE', `the pull request carries labels of ${labelled.length} decision types (${labelled.map(([d]) => d.label).join(', ')}); keep exactly one`);
  }
  const chosen = labelled[0]?.[1] ?? model.decisions.findIndex((d) => d.id === model.defaultDecision);
  if (chosen < 0) throw new GovernanceError('E_GOV_DECISION_TYPE', `the default decision type '${model.defaultDecision}' is not defined; add it to decisions`);
  return chosen;
}

/**
 * Freezes the policy for a decision as it opens: the decision type, the opening instant and the whole
 * model with its content hash. Store it with the decision (the bot keeps it in a pull-request
 * comment); from then on the frozen copy decides, so later changes to the model cannot change it.
 */
export function freezeDecision(snapshot: Snapshot, policy: Policy): FrozenDecision {
  const index = selectDecision(policy.model, snapshot.labels);
  return {
    decision: (policy.model.decisions[index] ?? { id: policy.model.defaultDecision }).id,
    openedAt: snapshot.openedAt,
    policyHash: policy.hash,
    model: policy.model,
    file: policy.file,
    lines: { ...policy.lines },
  };
}

/**
 * Checks a frozen decision read back from storage: its shape, its hash, and that its model is still a
 * valid model. It comes from a pull-request comment or a snapshot file, which anyone with the rights
 * can edit, so an altered or malformed copy is refused rather than trusted to replay.
 */
export function verifyFrozen(frozen: unknown): asserts frozen is FrozenDecision {
  const refuse = (what: string): never => {
    throw new GovernanceError('E_GOV_FROZEN', `the frozen policy of this decision ${what}; restore it from the bot's record`);
  };
  const f = frozen as Partial<Record<keyof FrozenDecision, unknown>> | null;
  if (f === null || typeof f !== 'object') return refuse('is not an object');
  for (const key of ['decision', 'openedAt', 'policyHash', 'file'] as const) if (typeof f[key] !== 'string') refuse(`has no string '${key}'`);
  if (!Number.isFinite(Date.parse(f.openedAt as string))) refuse(`has an 'openedAt' that is not a date`);
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
