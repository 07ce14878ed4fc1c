import { within } from './dates.js';
import type { Body, GovernanceModel, Seat } from './types.js';

/** The organisation id that stands for "represents no company". */
export const INDEPENDENT = 'independent';

/**
 * The company group a person belonged to at an instant. Independents are each their own group
 * (`independent:<login>`), so two independents count as two groups. Undefined when the model has no
 * affiliation covering the instant, or does not know the person.
 */
export function groupOn(model: GovernanceModel, login: string, instant: number): string | undefined {
  const person = model.people.find((p) => p.github.toLowerCase() === login.toLowerCase());
  const affiliation = person?.affiliations.find((a) => within(instant, a.from, a.to));
  if (person === undefined || affiliation === undefined) return undefined;
  if (affiliation.org === INDEPENDENT) return `${INDEPENDENT}:${person.github}`;
  return groupOfOrg(model, affiliation.org);
}

/**
 * The related-company group of an organisation: its group root, found by following `group` from
 * organisation to organisation until one names itself or nothing (a subsidiary of a subsidiary
 * belongs to the root's group). The validator refuses a `group` that names no organisation and a
 * chain that loops; should a frozen or hand-built model still hold one, the walk stops at the first
 * organisation seen twice (or the unknown name), so it always ends.
 */
export function groupOfOrg(model: GovernanceModel, orgId: string): string {
  return groupChain(model, orgId).root;
}

/** The chain of `group` links from an organisation, and where it ends (`cycle` when it loops). */
export function groupChain(model: GovernanceModel, orgId: string): { root: string; path: string[]; cycle: boolean } {
  const path = [orgId];
  for (let id = orgId; ; ) {
    const next = model.organisations.find((o) => o.id === id)?.group;
    if (next === undefined || next === id) return { root: id, path, cycle: false };
    if (path.includes(next)) return { root: next, path: [...path, next], cycle: true };
    path.push(next);
    id = next;
  }
}

/** The seats of a body held at an instant (one per person: the validator refuses a person seated twice at once). */
export function seatsOn(body: Body, instant: number): Seat[] {
  const held = body.seats.filter((s) => within(instant, s.since, s.until));
  return held.filter((s, i) => held.findIndex((o) => sameLogin(o.person, s.person)) === i);
}

/** The GitHub teams (`org/slug`) that bodies mirror, read by the adapter to report drift from the model. */
export function teamsOf(model: GovernanceModel): string[] {
  return model.bodies.flatMap((b) => (b.team === undefined ? [] : [b.team]));
}

/** The body with an id, if any. */
export function findBody(model: GovernanceModel, id: string): Body | undefined {
  return model.bodies.find((b) => b.id === id);
}

/**
 * The seats held at an instant on the body with an id; none when no id is given or the model has no
 * such body (a frozen or hand-built policy need not have passed the validator's reference checks).
 */
export function seatsOf(model: GovernanceModel, bodyId: string | undefined, instant: number): Seat[] {
  const body = bodyId === undefined ? undefined : findBody(model, bodyId);
  return body === undefined ? [] : seatsOn(body, instant);
}

/** The largest number of seats one group may hold on a body of `seated` seats under the body's caps. */
export function capLimit(body: Body, seated: number): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const cap of body.caps ?? []) {
    // At least one seat is always allowed, or a tiny body could never seat anyone.
    if (cap.share !== undefined) limit = Math.min(limit, Math.max(1, Math.floor(cap.share * seated + 1e-9)));
    if (cap.seats !== undefined) limit = Math.min(limit, cap.seats);
  }
  return limit;
}

/** Same login, compared as GitHub does (case-insensitive). */
export function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
