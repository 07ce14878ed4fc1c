import type { GovernanceIssue } from '../error.js';
import { dayStart, isRealDay, nextDay } from './dates.js';
import { INDEPENDENT, capLimit, groupChain, groupOn, sameLogin } from './query.js';
import type { Body, EscalationStep, GovernanceModel, Person } from './types.js';

/**
 * Checks a model that already passed the JSON Schema for what a schema cannot say: dates that exist
 * and run in order, affiliations without gaps, references that resolve, bodies within their caps,
 * modules with owners, decision types with rules. Returns issues located by JSON pointer.
 */
export function validateModel(model: GovernanceModel): GovernanceIssue[] {
  const issues: GovernanceIssue[] = [];
  const add = (code: GovernanceIssue['code'], pointer: string, message: string): void => {
    issues.push({ code, pointer, message: `${pointer} ${message}` });
  };

  const orgs = unique(model.organisations.map((o) => o.id), '/organisations', 'id', add);
  const people = unique(model.people.map((p) => p.github.toLowerCase()), '/people', 'github', add);
  const ids = new Map<number, string>();
  model.people.forEach((p, i) => {
    if (p.githubId === undefined) return;
    const other = ids.get(p.githubId);
    if (other !== undefined) add('E_GOV_DUPLICATE', `/people/${i}/githubId`, `(${p.githubId}) is already the account of '${other}'; one GitHub account is one person`);
    else ids.set(p.githubId, p.github);
  });
  const bodies = unique(model.bodies.map((b) => b.id), '/bodies', 'id', add);
  unique(model.modules.map((m) => m.id), '/modules', 'id', add);
  const decisions = unique(model.decisions.map((d) => d.id), '/decisions', 'id', add);

  const person = (login: string, at: string): void => {
    if (!people.has(login.toLowerCase())) add('E_GOV_REFERENCE', at, `names '${login}', who is not in /people; add them there`);
  };
  const body = (id: string, at: string): void => {
    if (!bodies.has(id)) add('E_GOV_REFERENCE', at, `names body '${id}', which is not in /bodies`);
  };
  const org = (id: string, at: string): void => {
    if (!orgs.has(id)) add('E_GOV_REFERENCE', at, `names organisation '${id}', which is not in /organisations`);
  };

  model.organisations.forEach((o, i) => {
    if (o.group === undefined || o.group === o.id) return;
    const at = `/organisations/${i}/group`;
    if (!orgs.has(o.group)) {
      add('E_GOV_REFERENCE', at, `names group '${o.group}', which is no organisation's id; a group is named by its root organisation (the parent company), so name an organisation of /organisations`);
      return;
    }
    const chain = groupChain(model, o.id);
    if (chain.cycle) add('E_GOV_REFERENCE', at, `makes a loop of groups (${chain.path.join(' → ')}); the chain of groups must end at a root organisation that names itself or no group`);
  });

  model.people.forEach((p, i) => {
    let previous: { to?: string; from: string } | undefined;
    p.affiliations.forEach((a, j) => {
      const at = `/people/${i}/affiliations/${j}`;
      if (a.org !== INDEPENDENT) org(a.org, `${at}/org`);
      const datesOk = checkDay(a.from, `${at}/from`, add) && (a.to === undefined || checkDay(a.to, `${at}/to`, add));
      if (!datesOk) return;
      if (a.to !== undefined && a.to < a.from) add('E_GOV_DATES', `${at}/to`, `(${a.to}) is before from (${a.from}); dates must run forward`);
      if (previous !== undefined) {
        if (previous.to === undefined || a.from <= previous.to) {
          add('E_GOV_DATES', `${at}/from`, `(${a.from}) overlaps or precedes the previous affiliation of '${p.github}'; list affiliations in date order, each starting after the last one ends`);
        } else if (a.from !== nextDay(previous.to)) {
          add('E_GOV_AFFILIATION_GAP', `${at}/from`, `leaves a gap: '${p.github}' has no affiliation from ${nextDay(previous.to)} to the day before ${a.from}; add an affiliation (org: independent if none)`);
        }
      }
      previous = a;
    });
  });

  const byLogin = new Map(model.people.map((p) => [p.github.toLowerCase(), p]));
  model.bodies.forEach((b, i) => {
    b.seats.forEach((s, j) => {
      const at = `/bodies/${i}/seats/${j}`;
      person(s.person, `${at}/person`);
      if (!checkDay(s.since, `${at}/since`, add) || (s.until !== undefined && !checkDay(s.until, `${at}/until`, add))) return;
      if (s.until !== undefined && s.until < s.since) add('E_GOV_DATES', `${at}/until`, `(${s.until}) is before since (${s.since}); dates must run forward`);
      const holder = byLogin.get(s.person.toLowerCase());
      if (holder !== undefined && !affiliatedThroughout(holder, s.since, s.until)) {
        add('E_GOV_AFFILIATION_GAP', at, `seats '${s.person}' from ${s.since}${s.until === undefined ? '' : ` to ${s.until}`}, but they have no affiliation on some of those days; every seat holder needs one for the whole seat`);
      }
    });
    checkOneSeatEach(b, i, add);
    checkCaps(model, i, add);
  });

  model.modules.forEach((m, i) => {
    const at = `/modules/${i}`;
    m.owners?.forEach((o, j) => person(o, `${at}/owners/${j}`));
    if (m.ownerBody !== undefined) body(m.ownerBody, `${at}/ownerBody`);
    if (m.vendor !== undefined) org(m.vendor, `${at}/vendor`);
    if (m.requires !== undefined && !decisions.has(m.requires)) add('E_GOV_REFERENCE', `${at}/requires`, `names decision type '${m.requires}', which is not in /decisions`);
    if ((m.owners ?? []).length === 0 && m.ownerBody === undefined) {
      add('E_GOV_MODULE_OWNER', at, `(module '${m.id}') has no owner; add owners (GitHub logins) or ownerBody`);
    }
  });

  if (model.unownedPaths !== undefined) body(model.unownedPaths.ownerBody, '/unownedPaths/ownerBody');
  if (!decisions.has(model.defaultDecision)) {
    add('E_GOV_REFERENCE', '/defaultDecision', `names decision type '${model.defaultDecision}', which is not in /decisions`);
  }
  const labels = new Map<string, string>();
  model.decisions.forEach((d, i) => {
    const at = `/decisions/${i}`;
    const rule = d.rule;
    if (d.label !== undefined) {
      const other = labels.get(d.label);
      if (other !== undefined) add('E_GOV_DUPLICATE', `${at}/label`, `'${d.label}' already selects decision type '${other}'; each label must select one decision type`);
      else labels.set(d.label, d.id);
    }
    if (rule === undefined || (rule.approvals === undefined && rule.vote === undefined && rule.lazyConsensus === undefined)) {
      add('E_GOV_DECISION_RULE', at, `(decision type '${d.id}') has no rule; give it approvals, a vote or lazyConsensus`);
      return;
    }
    if (rule.vote !== undefined) body(rule.vote.body, `${at}/rule/vote/body`);
    const objectors = rule.lazyConsensus?.objectors;
    if (typeof objectors === 'object') body(objectors.body, `${at}/rule/lazyConsensus/objectors/body`);
    rule.escalation?.chain.forEach((step: EscalationStep, j) => {
      if (typeof step === 'object') body('body' in step ? step.body : step.lead, `${at}/rule/escalation/chain/${j}`);
    });
    if (rule.escalation !== undefined && rule.lazyConsensus === undefined) {
      add('E_GOV_DECISION_RULE', `${at}/rule/escalation`, `has nothing to escalate: escalation starts from an objection to lazyConsensus; add lazyConsensus`);
    }
    if (rule.veto?.leadOf !== undefined) body(rule.veto.leadOf, `${at}/rule/veto/leadOf`);
    rule.veto?.people?.forEach((p, j) => person(p, `${at}/rule/veto/people/${j}`));
  });
  return issues;
}

type Add = (code: GovernanceIssue['code'], pointer: string, message: string) => void;

function unique(ids: string[], at: string, field: string, add: Add): Set<string> {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) add('E_GOV_DUPLICATE', `${at}/${i}/${field}`, `'${id}' is used twice; ids must be unique`);
    seen.add(id);
  });
  return seen;
}

function checkDay(day: string, at: string, add: Add): boolean {
  if (isRealDay(day)) return true;
  add('E_GOV_DATES', at, `(${day}) is not a calendar day`);
  return false;
}

/**
 * True when a person's affiliations cover every day from `since` to `until` (open when absent). The
 * affiliations are already checked to run in order without gaps, so the first and last decide.
 */
function affiliatedThroughout(person: Person, since: string, until: string | undefined): boolean {
  const first = person.affiliations[0];
  const last = person.affiliations[person.affiliations.length - 1];
  if (first === undefined || last === undefined || first.from > since) return false;
  return last.to === undefined || (until !== undefined && last.to >= until);
}

/** One person, one seat per body: two seats of one person that overlap would count them twice. */
function checkOneSeatEach(body: Body, index: number, add: Add): void {
  body.seats.forEach((s, j) => {
    const earlier = body.seats.slice(0, j).find((o) => sameLogin(o.person, s.person) && o.since <= (s.until ?? '9999-12-31') && s.since <= (o.until ?? '9999-12-31'));
    if (earlier !== undefined) {
      add('E_GOV_DUPLICATE', `/bodies/${index}/seats/${j}`, `seats '${s.person}' on body '${body.id}' a second time while their seat from ${earlier.since} lasts; one person holds one seat per body`);
    }
  });
}

/**
 * Checks a body's caps on every day its make-up can change: a seat starting, the day after one ends,
 * a seat holder's affiliation starting or the day after it ends. A body within its cap today may
 * have been over it last year, or be over it from the day after someone leaves.
 */
function checkCaps(model: GovernanceModel, index: number, add: Add): void {
  const body = model.bodies[index];
  if (body === undefined || (body.caps ?? []).length === 0) return;
  const holders = new Set(body.seats.map((s) => s.person.toLowerCase()));
  const days = new Set<string>();
  for (const s of body.seats) {
    days.add(s.since);
    if (s.until !== undefined) days.add(nextDay(s.until));
  }
  for (const p of model.people) {
    if (!holders.has(p.github.toLowerCase())) continue;
    for (const a of p.affiliations) {
      days.add(a.from);
      if (a.to !== undefined) days.add(nextDay(a.to));
    }
  }
  const reported = new Set<string>();
  for (const day of [...days].sort()) {
    const seated = body.seats.filter((s) => s.since <= day && (s.until === undefined || day <= s.until));
    const perGroup = new Map<string, number>();
    for (const s of seated) {
      const group = groupOn(model, s.person, dayStart(day));
      if (group !== undefined) perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    }
    const limit = capLimit(body, seated.length);
    for (const [group, count] of perGroup) {
      if (count <= limit || reported.has(group)) continue;
      reported.add(group);
      add('E_GOV_CAP', `/bodies/${index}/caps`, `puts body '${body.id}' over its cap on ${day}: group '${group}' holds ${count} of ${seated.length} seats, and at most ${limit} are allowed; end a seat or change the cap`);
    }
  }
}
