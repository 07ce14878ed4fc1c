/** Where in the policy file a requirement or explanation comes from. */
export interface PolicyRef {
  /** The policy file. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** JSON pointer of the rule. */
  pointer: string;
}

/** `met`: satisfied; `open`: not yet, but it still can be; `failed`: it no longer can be. */
export type RequirementStatus = 'met' | 'open' | 'failed';

/** One thing a decision needs. */
export interface Requirement {
  /** Stable id, e.g. `module:core`, `approvals:distinct-groups`, `vote:quorum`. */
  id: string;
  /** What is needed, in words. */
  description: string;
  /** Where it stands. */
  status: RequirementStatus;
  /** Who has satisfied it (logins). */
  satisfiedBy: string[];
  /** Who could still satisfy it (logins), when it is open. */
  couldSatisfy: string[];
  /** The rule it comes from. */
  ref: PolicyRef;
}

/** Why an input was not counted. */
export type RefusalReason =
  | 'self-approval'
  | 'stale'
  | 'not-owner'
  | 'outside-electorate'
  | 'joined-after-opening'
  | 'superseded'
  | 'after-deadline'
  | 'edited'
  | 'recused'
  | 'over-cap'
  | 'not-entitled'
  | 'party-to-dispute'
  | 'invalid'
  | 'not-counted'
  | 'other-account';

/** An input (a review, a command) that was seen and not counted. */
export interface Refusal {
  /** Whose input. */
  user: string;
  /** The input, e.g. `/vote yes` or `approval of abc1234`. */
  input: string;
  /** Why it was refused. */
  reason: RefusalReason;
  /** The reason in words. */
  message: string;
}

/** A sentence about the evaluation, pointing at the policy line it rests on where there is one. */
export interface Explanation {
  /** The sentence. */
  message: string;
  /** The policy line. */
  ref?: PolicyRef;
}

/** A vote's count. */
export interface VoteTally {
  /** Yes votes counted. */
  yes: number;
  /** No votes counted. */
  no: number;
  /** Abstentions counted. */
  abstain: number;
  /** Electorate after recusals. */
  eligible: number;
  /** The denominator the threshold divided. */
  denominator: number;
  /** When voting closes (ISO instant). */
  closesAt: string;
  /** Logins of the electorate after recusals. */
  electorate: string[];
}

/** Overall status: every requirement met, some still open, or one that can no longer be met. */
export type DecisionStatus = 'passing' | 'pending' | 'failing';

/** What the engine says about a decision as of an instant. */
export interface Evaluation {
  /** The decision type. */
  decision: string;
  /** The overall status. */
  status: DecisionStatus;
  /** The instant evaluated (ISO). */
  asOf: string;
  /** When the decision opened (ISO). */
  openedAt: string;
  /** Content hash of the policy that decided. */
  policyHash: string;
  /** True when a frozen policy decided. */
  frozen: boolean;
  /** Every requirement, met or not. */
  requirements: Requirement[];
  /** Inputs seen and not counted. */
  refusals: Refusal[];
  /** Sentences for people. */
  explanations: Explanation[];
  /** The vote's count, for decisions with a vote. */
  tally?: VoteTally;
}
