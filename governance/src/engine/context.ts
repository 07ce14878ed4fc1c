import { lineOf } from '../model/lines.js';
import { sameLogin, seatsOf } from '../model/query.js';
import type { DecisionType, GovernanceModel, Module } from '../model/types.js';
import { matchesAny } from './paths.js';
import type { Explanation, PolicyRef, Refusal, Requirement } from './result.js';
import type { CommandEvent, Snapshot } from './snapshot.js';

/** What every predicate reads: the model that decides, the decision, the instants, the inputs. */
export interface EvalContext {
  readonly model: GovernanceModel;
  readonly decision: DecisionType;
  /** JSON pointer of the decision type, e.g. `/decisions/2`. */
  readonly decisionPointer: string;
  readonly snapshot: Snapshot;
  readonly openedAt: string;
  readonly asOf: string;
  /** Modules touched by the snapshot's files. */
  readonly touched: Module[];
  ref(pointer: string): PolicyRef;
}

/** What predicates add to: requirements, refusals, explanations. */
export interface EvalOutput {
  readonly requirements: Requirement[];
  readonly refusals: Refusal[];
  readonly explanations: Explanation[];
}

/** Builds a context; `file` and `lines` locate the model's values for explanations. */
export function makeContext(
  model: GovernanceModel,
  file: string,
  lines: Readonly<Record<string, number>>,
  decisionIndex: number,
  snapshot: Snapshot,
  openedAt: string,
  asOf: string,
): EvalContext {
  const decision = model.decisions[decisionIndex];
  if (decision === undefined) throw new RangeError(`no decision type at index ${decisionIndex}`);
  return {
    model,
    decision,
    decisionPointer: `/decisions/${decisionIndex}`,
    snapshot,
    openedAt,
    asOf,
    touched: model.modules.filter((m) => snapshot.files.some((f) => matchesAny(f, m.paths))),
    ref: (pointer) => {
      const line = lineOf(pointer, lines);
      return line === undefined ? { file, pointer } : { file, line, pointer };
    },
  };
}

/** Owners of a module at an instant: its named owners and the seat holders of its owner body. */
export function ownersOf(model: GovernanceModel, module: Module, instant: string): string[] {
  const fromBody = seatsOf(model, module.ownerBody, instant).map((s) => s.person);
  return dedupe([...(module.owners ?? []), ...fromBody]);
}

/** Owners of any module the change touches, at an instant. */
export function touchedOwners(ctx: EvalContext, instant: string): string[] {
  return dedupe(ctx.touched.flatMap((m) => ownersOf(ctx.model, m, instant)));
}

/** Logins without repeats, compared case-insensitively, first spelling kept. */
export function dedupe(logins: readonly string[]): string[] {
  const out: string[] = [];
  for (const l of logins) if (!out.some((o) => sameLogin(o, l))) out.push(l);
  return out;
}

/** True when a login is in a list. */
export function includesLogin(list: readonly string[], login: string): boolean {
  return list.some((l) => sameLogin(l, login));
}

/** Commands of one kind that happened by `asOf`, oldest first; later ones have not happened yet. */
export function commandsUpTo(ctx: EvalContext, name: CommandEvent['command']): CommandEvent[] {
  return ctx.snapshot.commands
    .filter((c) => c.command === name && c.at <= ctx.asOf)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.commentId - b.commentId));
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

/** Adds an instant and a duration in milliseconds, giving an ISO instant. */
export function addMs(instant: string, ms: number): string {
  return new Date(Date.parse(instant) + ms).toISOString();
}
