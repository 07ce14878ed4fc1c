import type { GovernanceModel } from '../model/types.js';
import type { VoteTally } from './result.js';

/** A review's state as GitHub reports it. */
export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';

/** A pull-request review. */
export interface ReviewEvent {
  /** Reviewer's login. */
  user: string;
  /** The review's state. */
  state: ReviewState;
  /** The commit the review was made on; an approval counts only when this is the head. */
  commitId: string;
  /** When it was submitted (ISO instant). */
  submittedAt: string;
  /** The reviewer's immutable GitHub account id, when read from GitHub. */
  userId?: number;
}

/** The commands a comment may carry. */
export type CommandName = 'vote' | 'object' | 'approve';

/** A command read from a comment line such as `/vote yes`. */
export interface CommandEvent {
  /** Commenter's login. */
  user: string;
  /** Which command. */
  command: CommandName;
  /** The rest of the line: `yes`, `no` or `abstain` for a vote, a reason for an objection. */
  argument?: string;
  /** When the comment was created (ISO instant). */
  at: string;
  /** The comment's id, so an explanation can point at it. */
  commentId: number;
  /**
   * True when the comment was edited and who edited it is unknown: its commands are refused. The
   * adapter reads who made each edit and gives each of the author's own revisions as commands at
   * the revision's instant, so it sets this only for snapshots saved before it did.
   */
  edited: boolean;
  /** The commenter's immutable GitHub account id, when read from GitHub. */
  userId?: number;
}

/**
 * Something that looked like an input but is not counted, with the reason: a command written with a
 * look-alike character, inside a collapsed block, in a review body or the description, or an edit
 * made by someone other than the comment's author. The engine reports each as "not counted".
 */
export interface DroppedInput {
  /** Whose input it would have been (the author of the text, or the editor of an edit). */
  user: string;
  /** The line as written. */
  input: string;
  /** When it was written (ISO instant). */
  at: string;
  /** Why it is not counted, in words, saying what to do instead. */
  reason: string;
}

/**
 * The policy and inputs as they stood when a decision opened, kept with the decision so it replays to
 * the same result whatever the model or the pull request's description says later. `policyHash` is
 * the content hash of `model`.
 */
export interface FrozenDecision {
  /** The decision type chosen when it opened. */
  decision: string;
  /** When it opened (ISO instant). */
  openedAt: string;
  /** Content hash of `model`; a mismatch means the frozen copy was altered. */
  policyHash: string;
  /** The whole model as it was. */
  model: GovernanceModel;
  /** Its file name, for explanations. */
  file: string;
  /** Its lines by JSON pointer, for explanations. */
  lines: Record<string, number>;
  /** The person the decision is about, as the description named them when it opened. */
  subject?: string;
  /** The organisation applying, as the description named it when it opened. */
  applicant?: string;
}

/**
 * A vote's outcome as recorded when it closed. Comments can be edited or deleted after a vote closes,
 * which the engine cannot undo; the recorded outcome keeps the final result fixed.
 */
export interface FinalVote {
  /** When the vote closed (ISO instant). */
  closesAt: string;
  /** The count at the close. */
  tally: VoteTally;
  /** Whether the quorum was met. */
  quorum: 'met' | 'failed';
  /** Whether the threshold was met. */
  threshold: 'met' | 'failed';
}

/** GitHub lists at most 3,000 files of a pull request; when it changes more, the list is incomplete. */
export interface IncompleteFileList {
  /** How many files the list held. */
  listed: number;
  /** How many files the pull request changes, by GitHub's count. */
  changed: number;
}

/**
 * Everything the engine needs to know about one pull request or proposal, read from GitHub by the
 * adapter or saved to a file for the simulator. Plain JSON, so it can be stored and replayed.
 */
export interface Snapshot {
  /** Format version; 1. */
  version: 1;
  /** `owner/name`. */
  repository: string;
  /** Pull request number. */
  number: number;
  /** Author's login. */
  author: string;
  /** The head commit. */
  headSha: string;
  /** When the decision opened: the pull request's creation (ISO instant). */
  openedAt: string;
  /** Labels; a decision type's label selects it. */
  labels: string[];
  /** Paths the pull request changes (a renamed file's old path too). */
  files: string[];
  /** Reviews in any order. */
  reviews: ReviewEvent[];
  /** Commands from comments in any order. */
  commands: CommandEvent[];
  /** The person a vote is about (a new maintainer, a removal), by login. */
  subject?: string;
  /** The organisation applying (plugin certification), by id. */
  applicant?: string;
  /** Members of GitHub teams named by bodies (`org/slug` → logins), to report drift from the model. */
  teams?: Record<string, string[]>;
  /**
   * When the pull request took its current base, if it was retargeted after it opened (ISO
   * instant): an approval given before then approved another diff, so it is stale.
   */
  baseChangedAt?: string;
  /** The base branch the pull request targets. */
  baseRef?: string;
  /** Inputs seen and not counted, each with the reason, reported as refusals. */
  dropped?: DroppedInput[];
  /**
   * Account ids pinned for logins the model gives no `githubId` (login → id), first seen on this
   * decision: an input from another account under the login is refused.
   */
  pinnedIds?: Record<string, number>;
  /** Set when GitHub listed fewer files than the pull request changes: the engine then refuses to decide. */
  incompleteFiles?: IncompleteFileList;
  /** The vote's outcome as recorded when it closed, once it has. */
  finalVote?: FinalVote;
  /** The frozen policy, once the decision has opened. */
  frozen?: FrozenDecision;
}
