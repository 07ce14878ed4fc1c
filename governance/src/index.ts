/**
 * Hearth governance as code: the foundation model (one YAML file with a JSON Schema), a pure rules
 * engine, and the GitHub adapter that reads pull requests and publishes outcomes.
 *
 * @packageDocumentation
 */
export { GovernanceError, formatIssue, type GovernanceErrorCode, type GovernanceIssue } from './error.js';
export type {
  Affiliation,
  ApprovalRule,
  Body,
  BodyRef,
  LeadRef,
  DecisionRule,
  DecisionType,
  Denominator,
  EscalationRule,
  EscalationStep,
  GovernanceModel,
  GroupCap,
  LazyConsensusRule,
  MembershipTier,
  Module,
  Organisation,
  Person,
  Policy,
  Recusal,
  Seat,
  VetoRule,
  VoteRule,
} from './model/types.js';
export { governanceSchema, type JsonSchema } from './model/schema.js';
export { parsePolicy, loadPolicyFile } from './model/load.js';
export { contentHash, canonicalJson } from './model/hash.js';
export { groupOfOrg, teamsOf } from './model/query.js';
export { parseInstant } from './model/dates.js';
export type { CommandEvent, CommandName, DroppedInput, FinalVote, FrozenDecision, ReviewEvent, ReviewState, Snapshot } from './engine/snapshot.js';
export type {
  DecisionStatus,
  Evaluation,
  Explanation,
  PolicyRef,
  Refusal,
  RefusalReason,
  Requirement,
  RequirementStatus,
  VoteTally,
} from './engine/result.js';
export { evaluate, type EvaluateOptions } from './engine/evaluate.js';
export { freezeDecision, selectDecision, upgradeOf } from './engine/freeze.js';
export { parseSnapshot, withReview } from './engine/simulate.js';
export { createGitHubClient, type AppAuth, type GitHubAuth, type GitHubClient, type TokenAuth, type GitHubClientOptions } from './github/client.js';
export {
  ANNOTATIONS_PER_REQUEST,
  annotationsOf,
  publishCheckRun,
  publishRefusal,
  publishStatus,
  readSnapshot,
  readPullRequest,
  recordDecision,
  frozenRecordOf,
  finalVoteRecordOf,
  publishWithdrawal,
  CONSISTENT_READ_ATTEMPTS,
  fetchPolicy,
  MAX_LISTED_FILES,
  summaryOf,
  terminalSummaryOf,
  type Annotation,
  type CheckRunOptions,
  type PullRequestRef,
  type ReadSnapshotOptions,
  type RefusalOptions,
  type PullRequestState,
  type RecordWrite,
} from './github/adapter.js';
export { DEFAULT_RECORD_BRANCH, recordPath, type StoredDecision } from './github/store.js';
export { commentCommands, type CommentEdit, type RestComment } from './github/edits.js';
export { commandsFromComment, commandsOutOfPlace, decisionFields, hiddenFields, readComment, type CommentInput, type DecisionFields, type ReadComment } from './github/commands.js';
export { runBot, type RunBotOptions, type RunBotResult } from './github/run.js';
export {
  signRecord,
  verifyRecord,
  frozenFromRecord,
  signFinalVote,
  verifyFinalVote,
  signIdentities,
  verifyIdentities,
  MIN_KEY_LENGTH,
  type FrozenRecord,
  type FinalVoteRecord,
  type IdentityRecord,
  type RecordContext,
} from './github/record.js';
export { checkDecisionFields, type FieldSource } from './engine/freeze.js';
export type { IncompleteFileList } from './engine/snapshot.js';
export type { UnownedPaths } from './model/types.js';
export { startDevGitHub, type DevGitHub, type DevGitHubOptions } from './github-dev/index.js';
