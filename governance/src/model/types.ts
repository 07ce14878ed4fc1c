/**
 * The governance model as data: what one `governance.yaml` holds once loaded. Dates are ISO days
 * (`YYYY-MM-DD`), durations are strings such as `72h` or `7d`.
 */

/** Membership tier of an organisation in the foundation. */
export type MembershipTier = 'platinum' | 'gold' | 'silver' | 'associate' | 'none';

/** A company or other organisation. Related companies share a `group`; caps and diversity count groups. */
export interface Organisation {
  /** Stable id used by affiliations and vendor modules. */
  id: string;
  /** Display name. */
  name: string;
  /**
   * The related-company group, named by the id of its root organisation (the parent company);
   * organisations under common control share one. A subsidiary of a subsidiary may name its direct
   * parent: groups resolve through the chain to its root. Defaults to `id` (a root of its own).
   */
  group?: string;
  /** Membership tier in the foundation. */
  tier: MembershipTier;
}

/** A dated affiliation of a person; `to` is inclusive and absent while it lasts. */
export interface Affiliation {
  /** Organisation id, or `independent` for a person who represents no company. */
  org: string;
  /** First day of the affiliation. */
  from: string;
  /** Last day of the affiliation, inclusive; absent while it lasts. */
  to?: string;
}

/** A person. Seats belong to people, and a person's company is read from dated affiliations. */
export interface Person {
  /** GitHub login, the id used everywhere else in the model. */
  github: string;
  /**
   * The GitHub account's immutable numeric id (`user.id` in GitHub's API). A login can be renamed
   * and then claimed by someone else; with the id recorded, an input from another account under
   * this login is refused. Without it, the bot pins the id it first sees on a decision.
   */
  githubId?: number;
  /** Display name. */
  name: string;
  /** Affiliations in date order, with no gaps and no overlaps. */
  affiliations: Affiliation[];
}

/** A seat on a body, held by a person between two dates. */
export interface Seat {
  /** GitHub login of the seat holder. */
  person: string;
  /** First day of the seat. */
  since: string;
  /** Last day of the seat, inclusive; absent while it lasts. */
  until?: string;
  /** `lead` seats take the last escalation step and may hold a veto. */
  role?: 'member' | 'lead';
}

/** A limit on how many seats (and so binding votes) one company group may hold on a body. */
export interface GroupCap {
  /** The largest share of seats one group may hold, in (0, 1]. */
  share?: number;
  /** The largest number of seats one group may hold. */
  seats?: number;
}

/** A governing body: the board, the technical council, the core maintainers. */
export interface Body {
  /** Stable id. */
  id: string;
  /** Display name. */
  name: string;
  /** The GitHub team mirroring the body (`org/team-slug`), compared with the model for drift. */
  team?: string;
  /** Seats, past and present. */
  seats: Seat[];
  /** Per-group caps, all of which apply. */
  caps?: GroupCap[];
}

/** A part of the repository, found by path patterns, with its owners. */
export interface Module {
  /** Stable id. */
  id: string;
  /** Glob patterns (`*`, `**`, `?`) relative to the repository root. */
  paths: string[];
  /** GitHub logins of owners. */
  owners?: string[];
  /** A body whose current seat holders own the module too. */
  ownerBody?: string;
  /** True for code every vendor shares (the core, the conformance suite). */
  shared?: boolean;
  /** The organisation whose plugin this is: its maintainers own it but cannot alone approve shared code. */
  vendor?: string;
  /**
   * A decision type a change to this module needs at least: the decision is of the most demanding
   * (highest `rank`) type among the label's (or the default) and every touched module's.
   */
  requires?: string;
}

/** Approval requirements of a change. */
export interface ApprovalRule {
  /** Every touched module needs an approval from one of its owners. Default true. */
  coverage?: boolean;
  /** Fewest valid approvals in all. Default 1. */
  min?: number;
  /** Fewest distinct company groups among the valid approvals. Default 1. */
  distinctGroups?: number;
  /** When shared code is touched, fewest distinct groups among approvals by owners of shared modules. Default 2. */
  sharedDistinctGroups?: number;
}

/** Which count a vote's threshold divides by. */
export type Denominator = 'eligible' | 'cast' | 'present';

/** Who steps out of a vote: the person it is about, and everyone from the applicant's company group. */
export type Recusal = 'subject' | 'subject-group' | 'applicant-group';

/** A vote of a body. */
export interface VoteRule {
  /** The body whose seat holders (on the day the vote opens) form the electorate. */
  body: string;
  /** Share of the denominator that must vote yes, in (0, 1]. */
  threshold: number;
  /** When true the yes share must exceed the threshold, not merely reach it. */
  strict?: boolean;
  /** What the threshold divides by. */
  denominator: Denominator;
  /** Share of the eligible electorate that must take part (yes, no or abstain). Default 0. */
  quorum?: number;
  /** How long the vote stays open after the decision opens. */
  window: string;
  /** Who is recused. */
  recuse?: Recusal[];
  /** Apply the body's group caps to binding votes. Default true. */
  capVotes?: boolean;
}

/** Lazy consensus: the proposal passes when nobody entitled objects within the window. */
export interface LazyConsensusRule {
  /** How long the window stays open after the decision opens. */
  window: string;
  /** Who may stop it: owners of touched modules (default), a body, or anyone with a seat in the model. */
  objectors?: 'owners' | 'any-member' | BodyRef;
}

/** A reference to a body by id. */
export interface BodyRef {
  /** The body's id. */
  body: string;
}

/** The lead seat holders of a body. */
export interface LeadRef {
  /** The body's id. */
  lead: string;
}

/** One step of an escalation chain: the owners of the touched modules, a body, or a body's lead. */
export type EscalationStep = 'module-owners' | BodyRef | LeadRef;

/** Escalation of a dispute: after each period without resolution, the next step decides. */
export interface EscalationRule {
  /** The chain, lowest first; e.g. module owners, then core maintainers, then the lead. */
  chain: EscalationStep[];
  /** How long each step has before the dispute moves up. */
  after: string;
  /**
   * Whether the company groups of the parties (the author and every objector) are recused from
   * deciding the dispute, so no colleague of a party resolves it. Default true.
   */
  recuseGroups?: boolean;
}

/** Who may veto: seat holders with the lead role on a body, or named people. */
export interface VetoRule {
  /** A body whose `lead` seat holders may veto. */
  leadOf?: string;
  /** GitHub logins who may veto. */
  people?: string[];
}

/** The rule of a decision type: every part present must be met. */
export interface DecisionRule {
  /** Approvals by reviews. */
  approvals?: ApprovalRule;
  /** A vote. */
  vote?: VoteRule;
  /** Lazy consensus. */
  lazyConsensus?: LazyConsensusRule;
  /** Escalation of an objection. */
  escalation?: EscalationRule;
  /** Veto holders: an `/object` from one fails the decision. */
  veto?: VetoRule;
}

/** A decision type: how a kind of change or proposal is decided. */
export interface DecisionType {
  /** Stable id, e.g. `routine-change`. */
  id: string;
  /** Pull-request label that selects this type. */
  label?: string;
  /** What the type is for. */
  description?: string;
  /**
   * How demanding the type is; when several apply (a label's, a module's `requires`), the highest
   * rank decides. Default 0. Two applicable types of one rank are ambiguous and refused.
   */
  rank?: number;
  /** The rule. A type without a rule is an error. */
  rule?: DecisionRule;
}

/** Who approves a change to paths that no module owns. */
export interface UnownedPaths {
  /** The body whose seat holders (when they approve) own every path no module matches. */
  ownerBody: string;
}

/** A whole foundation model. */
export interface GovernanceModel {
  /** Model format version; 1. */
  version: 1;
  /** The foundation's name. */
  foundation: string;
  /** Decision type used for a pull request with no decision label. */
  defaultDecision: string;
  /** Organisations. */
  organisations: Organisation[];
  /** People. */
  people: Person[];
  /** Bodies. */
  bodies: Body[];
  /** Modules. */
  modules: Module[];
  /**
   * Who approves a change to paths that no module matches. Without it such a change fails: a path
   * nobody owns is never a silent pass.
   */
  unownedPaths?: UnownedPaths;
  /** Decision types. */
  decisions: DecisionType[];
}

/**
 * A model ready for the engine: the data, the file it came from, the line of each value (by JSON
 * pointer) for explanations, and a content hash that freezes it.
 */
export interface Policy {
  /** The model. */
  readonly model: GovernanceModel;
  /** The file name used in explanations, e.g. `governance.yaml`. */
  readonly file: string;
  /** 1-based line of each value in the file, keyed by JSON pointer. */
  readonly lines: Readonly<Record<string, number>>;
  /** `sha256:` and the hex digest of the model's canonical JSON. */
  readonly hash: string;
  /**
   * The git blob hash (SHA-1 of `blob <size>\0<bytes>`) of the file's text: the name under which
   * GitHub serves that exact file back (`GET /repos/{owner}/{repo}/git/blobs/{sha}`), which is how a
   * frozen decision records its policy without copying it.
   */
  readonly blobSha: string;
}
