import { GovernanceError } from '../error.js';
import { parseInstant } from '../model/dates.js';
import { lineOf } from '../model/lines.js';
import { seatsOf } from '../model/query.js';
import type { DecisionType, GovernanceModel, Module } from '../model/types.js';
import { globMatcher } from './paths.js';
import { dedupe, includesLogin } from './logins.js';
import { recusedPeople } from './recusal.js';
import type { Explanation, PolicyRef, Refusal, Requirement } from './result.js';
import type { CommandEvent, ReviewEvent, Snapshot } from './snapshot.js';

export { dedupe, includesLogin } from './logins.js';

/** A command with its instant parsed, in milliseconds since the epoch. */
export interface TimedCommand extends CommandEvent {
  readonly t: number;
}

/** A review with its instant parsed, in milliseconds since the epoch. */
export interface TimedReview extends ReviewEvent {
  readonly t: number;
}

/** The id of the module that stands for paths no module matches; its owners are `unownedPaths.ownerBody`. */
export const UNOWNED_MODULE = 'unowned-paths';

/**
 * What every predicate reads: the model that decides, the decision, the inputs. Instants are numbers
 * (milliseconds since the epoch), parsed once here, so every comparison is a comparison of time.
 */
export interface EvalContext {
  readonly model: GovernanceModel;
  readonly decision: DecisionType;
  /** JSON pointer of the decision type, e.g. `/decisions/2`. */
  readonly decisionPointer: string;
  readonly snapshot: Snapshot;
  readonly openedAt: number;
  readonly asOf: number;
  /** Commands that happened by `asOf`, oldest first (ties in comment order). */
  readonly commands: readonly TimedCommand[];
  /** Reviews that happened by `asOf`, oldest first. */
  readonly reviews: readonly TimedReview[];
  /** The decision's subject and applicant, as frozen when it opened. */
  readonly subject: string | undefined;
  readonly applicant: string | undefined;
  /** Modules touched by the snapshot's files, with the unowned-paths module when a file matches none. */
  readonly touched: Module[];
  /** Files that no module matches. */
  readonly unowned: string[];
  /** Everyone recused from this decision: every input of theirs is refused. */
  readonly recused: readonly string[];
  /**
   * Inputs refused before any rule reads them: those the adapter dropped (look-alike characters,
   * votes in reviews, edits by others), and those from another account than the login's.
   */
  readonly refused: readonly Refusal[];
  ref(pointer: string): PolicyRef;
}

/** What predicates add to: requirements, refusals, explanations. */
export interface EvalOutput {
  readonly requirements: Requirement[];
  readonly refusals: Refusal[];
  readonly explanations: Explanation[];
}

/** What {@link makeContext} needs beyond the model. */
export interface ContextInput {
  readonly model: GovernanceModel;
  readonly file: string;
  readonly lines: Readonly<Record<string, number>>;
  readonly decisionIndex: number;
  readonly snapshot: Snapshot;
  readonly openedAt: number;
  readonly asOf: number;
  readonly subject: string | undefined;
  readonly applicant: string | undefined;
}

/** Builds a context: parses every instant of the snapshot once, and finds the modules its files touch. */
export function makeContext(input: ContextInput): EvalContext {
  const { model, snapshot, asOf } = input;
  const decision = model.decisions[input.decisionIndex];
  if (decision === undefined) throw new RangeError(`no decision type at index ${input.decisionIndex}`);
  const refused: Refusal[] = [];
  const sameAccount = accountCheck(model, snapshot, refused);
  const commands = snapshot.commands
    .map((c) => ({ ...c, t: instantOf(c.at, `a command of comment ${c.commentId}`) }))
    .filter((c) => c.t <= asOf && sameAccount(c.user, c.userId, commandText(c)))
    .sort((a, b) => a.t - b.t || a.commentId - b.commentId);
  const reviews = snapshot.reviews
    .map((r) => ({ ...r, t: instantOf(r.submittedAt, `the review by ${r.user}`) }))
    .filter((r) => r.t <= asOf && sameAccount(r.user, r.userId, `review of ${r.commitId.slice(0, 7)}`))
    .sort((a, b) => a.t - b.t);
  for (const d of snapshot.dropped ?? []) {
    if (instantOf(d.at, `a dropped input of ${d.user}`) <= asOf) refused.push({ user: d.user, input: d.input, reason: 'not-counted', message: d.reason });
  }
  const matchers = model.modules.map((m) => [m, globMatcher(m.paths)] as const);
  const touched = matchers.filter(([, match]) => snapshot.files.some(match)).map(([m]) => m);
  const unowned = snapshot.files.filter((f) => !matchers.some(([, match]) => match(f)));
  if (unowned.length > 0) {
    const fallback = model.unownedPaths?.ownerBody;
    touched.push({ id: UNOWNED_MODULE, paths: unowned, ...(fallback === undefined ? {} : { ownerBody: fallback }) });
  }
  return {
    model,
    decision,
    decisionPointer: `/decisions/${input.decisionIndex}`,
    snapshot,
    openedAt: input.openedAt,
    asOf,
    commands,
    reviews,
    subject: input.subject,
    applicant: input.applicant,
    touched,
    unowned,
    recused: recusedPeople(model, decision.rule?.vote?.recuse ?? [], input.subject, input.applicant, input.openedAt),
    refused,
    ref: (pointer) => {
      const line = lineOf(pointer, input.lines);
      return line === undefined ? { file: input.file, pointer } : { file: input.file, line, pointer };
    },
  };
}

/**
 * A check that an input comes from the account its login belongs to: the model's `githubId`, or the
 * id pinned when the login was first seen on this decision. A login renamed and claimed by someone
 * else keeps its name but not its id, so the newcomer's inputs are refused, not counted as the
 * member's. An input without an id (a snapshot written by hand) cannot be checked and passes.
 */
function accountCheck(model: GovernanceModel, snapshot: Snapshot, refused: Refusal[]): (user: string, id: number | undefined, input: string) => boolean {
  const known = new Map<string, number>();
  for (const [login, id] of Object.entries(snapshot.pinnedIds ?? {})) known.set(login.toLowerCase(), id);
  for (const p of model.people) if (p.githubId !== undefined) known.set(p.github.toLowerCase(), p.githubId);
  return (user, id, input) => {
    const expected = known.get(user.toLowerCase());
    if (id === undefined || expected === undefined || id === expected) return true;
    refused.push({ user, input, reason: 'other-account', message: `${user} is now the login of GitHub account ${id}, but it belongs to account ${expected} in the model (or was pinned when first seen), so this is someone else's input; if the member renamed, put their new login in the model` });
    return false;
  };
}

/** Refuses an input of a recused person; true when refused. */
export function refuseIfRecused(ctx: EvalContext, out: EvalOutput, user: string, input: string): boolean {
  if (!includesLogin(ctx.recused, user)) return false;
  out.refusals.push({ user, input, reason: 'recused', message: `${user} is recused from this decision, so none of their inputs counts` });
  return true;
}

/** Parses an instant of a snapshot; one that is not an ISO instant is a broken snapshot. */
export function instantOf(text: string, what: string): number {
  const t = parseInstant(text);
  if (t === undefined) throw new GovernanceError('E_GOV_SNAPSHOT', `${what} has the time '${text}', which is not an ISO instant with a zone; save the snapshot again`);
  return t;
}

/** The JSON pointer of a module in the model (the unowned-paths module points at `/unownedPaths`). */
export function modulePointer(ctx: EvalContext, module: Module): string {
  const i = ctx.model.modules.indexOf(module);
  return i < 0 ? '/unownedPaths' : `/modules/${i}`;
}

/** Owners of a module at an instant: its named owners and the seat holders of its owner body. */
export function ownersOf(model: GovernanceModel, module: Module, instant: number): string[] {
  const fromBody = seatsOf(model, module.ownerBody, instant).map((s) => s.person);
  return dedupe([...(module.owners ?? []), ...fromBody]);
}

/** Owners of any module the change touches, at an instant. */
export function touchedOwners(ctx: EvalContext, instant: number): string[] {
  return dedupe(ctx.touched.flatMap((m) => ownersOf(ctx.model, m, instant)));
}

/** Commands of one kind that happened by `asOf`, oldest first; later ones have not happened yet. */
export function commandsUpTo(ctx: EvalContext, name: CommandEvent['command']): TimedCommand[] {
  return ctx.commands.filter((c) => c.command === name);
}

/** Refuses a command from an edited comment: it could have been changed after others relied on it. */
export function refuseIfEdited(out: EvalOutput, c: CommandEvent): boolean {
  if (!c.edited) return false;
  out.refusals.push({
    user: c.user,
    input: commandText(c),
    reason: 'edited',
    message: `comment ${c.commentId} was edited, so its command is ignored; post the command in a new comment`,
  });
  return true;
}

/** A command as it was written, e.g. `/vote yes`. */
export function commandText(c: CommandEvent): string {
  return c.argument === undefined || c.argument === '' ? `/${c.command}` : `/${c.command} ${c.argument}`;
}
