import { GovernanceError } from '../error.js';
import { contentHash } from '../model/hash.js';
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

/** Checks a frozen decision against its hash; an altered copy cannot be trusted to replay. */
export function verifyFrozen(frozen: FrozenDecision): void {
  const actual = contentHash(frozen.model);
  if (actual !== frozen.policyHash) {
    throw new GovernanceError('E_GOV_FROZEN', `the frozen policy of this decision hashes to ${actual}, not the recorded ${frozen.policyHash}: it was altered; restore it from the bot's record`);
  }
}
