import { groupOn, groupOfOrg, sameLogin } from '../model/query.js';
import type { ApprovalRule, Module } from '../model/types.js';
import { iso } from '../model/dates.js';
import { UNOWNED_MODULE, dedupe, instantOf, includesLogin, modulePointer, ownersOf, refuseIfRecused, type EvalContext, type EvalOutput, type TimedReview } from './context.js';
import type { Requirement } from './result.js';

/**
 * An approval that counts: by an owner of a touched module, of the diff as it is now (on the head
 * commit, and since the pull request took its current base), not by the author.
 * Its owner's modules and company group are those of the moment it was given, so a decision replays
 * to the same result however seats and affiliations change later.
 */
interface ValidApproval {
  user: string;
  group: string | undefined;
  modules: Module[];
}

/**
 * Approval predicates: coverage of every touched module by its owners, a count of approvals, a count
 * of distinct company groups, and for shared code, distinct groups among shared-code owners with at
 * least one from outside every touched vendor's group (a vendor cannot approve shared code alone).
 */
export function evaluateApprovals(ctx: EvalContext, rule: ApprovalRule, out: EvalOutput): void {
  const at = `${ctx.decisionPointer}/rule/approvals`;
  const { author, headSha } = ctx.snapshot;
  // Owners now: who could still approve. Whether an approval counts is judged when it was given.
  const owners = new Map<Module, string[]>(ctx.touched.map((m) => [m, ownersOf(ctx.model, m, ctx.asOf)]));
  const allOwners = dedupe([...owners.values()].flat());
  const ownedWhen = (user: string, t: number): Module[] => ctx.touched.filter((m) => includesLogin(ownersOf(ctx.model, m, t), user));

  const baseSince = ctx.snapshot.baseChangedAt === undefined ? undefined : instantOf(ctx.snapshot.baseChangedAt, "the snapshot's baseChangedAt");
  const valid: ValidApproval[] = [];
  const blocking: string[] = [];
  for (const review of latestReviews(ctx.reviews)) {
    const owned = ownedWhen(review.user, review.t);
    const input = `${review.state === 'APPROVED' ? 'approval' : 'request for changes'} of ${review.commitId.slice(0, 7)}`;
    if (review.state !== 'APPROVED' && review.state !== 'CHANGES_REQUESTED') continue;
    if (refuseIfRecused(ctx, out, review.user, input)) continue;
    if (review.state === 'CHANGES_REQUESTED') {
      if (owned.length > 0) blocking.push(review.user);
      continue;
    }
    if (sameLogin(review.user, author)) {
      out.refusals.push({ user: review.user, input, reason: 'self-approval', message: `${review.user} wrote this change and cannot approve it` });
    } else if (baseSince !== undefined && review.t < baseSince) {
      out.refusals.push({ user: review.user, input, reason: 'stale', message: `${review.user} approved before the pull request was retargeted to ${ctx.snapshot.baseRef ?? 'its current base'} at ${iso(baseSince)}; the diff against the new base needs a new approval` });
    } else if (review.commitId !== headSha) {
      out.refusals.push({ user: review.user, input, reason: 'stale', message: `${review.user} approved ${review.commitId.slice(0, 7)}, not the head ${headSha.slice(0, 7)}; a new push needs a new approval` });
    } else if (owned.length === 0) {
      out.refusals.push({ user: review.user, input, reason: 'not-owner', message: `${review.user} owned none of the touched modules when approving, so the approval does not count` });
    } else {
      valid.push({ user: review.user, group: groupOn(ctx.model, review.user, review.t), modules: owned });
    }
  }
  const candidates = (list: string[]): string[] => list.filter((l) => !sameLogin(l, author) && !valid.some((v) => sameLogin(v.user, l)));

  if (rule.coverage ?? true) {
    for (const [module, list] of owners) {
      const by = valid.filter((v) => v.modules.includes(module)).map((v) => v.user);
      if (module.id === UNOWNED_MODULE && module.ownerBody === undefined) {
        out.requirements.push({
          id: `module:${module.id}`,
          description: `an approval for ${module.paths.join(', ')}, which no module owns, and the model names no unownedPaths body to approve such paths; add a module for them, or unownedPaths`,
          status: 'failed',
          satisfiedBy: [],
          couldSatisfy: [],
          ref: ctx.ref('/modules'),
        });
        continue;
      }
      out.requirements.push({
        id: `module:${module.id}`,
        description: module.id === UNOWNED_MODULE
          ? `an approval from ${module.ownerBody ?? ''}, which owns paths no module matches (${module.paths.join(', ')})`
          : `an approval from an owner of module '${module.id}'`,
        status: by.length > 0 ? 'met' : 'open',
        satisfiedBy: by,
        couldSatisfy: by.length > 0 ? [] : candidates(list),
        ref: ctx.ref(modulePointer(ctx, module)),
      });
    }
  }

  const min = rule.min ?? 1;
  out.requirements.push({
    id: 'approvals:count',
    description: `at least ${min} approval(s) from owners of touched modules`,
    status: valid.length >= min ? 'met' : 'open',
    satisfiedBy: valid.map((v) => v.user),
    couldSatisfy: valid.length >= min ? [] : candidates(allOwners),
    ref: ctx.ref(`${at}/min`),
  });

  const distinct = rule.distinctGroups ?? 1;
  if (distinct > 1) out.requirements.push(groupsRequirement(ctx, 'approvals:distinct-groups', valid, allOwners, distinct, `${at}/distinctGroups`, candidates));

  const shared = ctx.touched.filter((m) => m.shared === true);
  if (shared.length > 0) {
    const sharedOwners = dedupe(shared.flatMap((m) => owners.get(m) ?? []));
    const bySharedOwners = valid.filter((v) => v.modules.some((m) => m.shared === true));
    const need = rule.sharedDistinctGroups ?? 2;
    out.requirements.push(groupsRequirement(ctx, 'shared:distinct-groups', bySharedOwners, sharedOwners, need, `${at}/sharedDistinctGroups`, candidates));

    const vendors = ctx.touched.filter((m) => m.vendor !== undefined);
    if (vendors.length > 0) {
      const vendorGroups = new Set(vendors.map((m) => groupOfOrg(ctx.model, m.vendor ?? '')));
      const neutral = bySharedOwners.filter((v) => v.group !== undefined && !vendorGroups.has(v.group));
      out.requirements.push({
        id: 'shared:vendor-neutral',
        description: `an approval of the shared code from a shared-code owner outside ${[...vendorGroups].join(', ')}, since a vendor's change to shared code cannot be approved by that vendor alone`,
        status: neutral.length > 0 ? 'met' : 'open',
        satisfiedBy: neutral.map((v) => v.user),
        couldSatisfy: neutral.length > 0 ? [] : candidates(sharedOwners).filter((l) => {
          const g = groupOn(ctx.model, l, ctx.asOf);
          return g !== undefined && !vendorGroups.has(g);
        }),
        ref: ctx.ref(`/modules/${ctx.model.modules.indexOf(vendors[0] as Module)}/vendor`),
      });
    }
  }

  out.requirements.push({
    id: 'approvals:no-changes-requested',
    description: 'no owner of a touched module has requested changes',
    status: blocking.length === 0 ? 'met' : 'open',
    satisfiedBy: [],
    couldSatisfy: blocking,
    ref: ctx.ref(at),
  });

  if (ctx.unowned.length > 0) {
    const fallback = ctx.model.unownedPaths?.ownerBody;
    const who = fallback === undefined ? 'and the model names no unownedPaths body, so the change cannot pass' : `so ${fallback} must approve them`;
    out.explanations.push({ message: `no module owns ${ctx.unowned.join(', ')}, ${who}; add a module for these paths`, ref: ctx.ref(fallback === undefined ? '/modules' : '/unownedPaths') });
  }
}

function groupsRequirement(
  ctx: EvalContext,
  id: string,
  approvals: ValidApproval[],
  pool: string[],
  need: number,
  pointer: string,
  candidates: (list: string[]) => string[],
): Requirement {
  const groups = new Set(approvals.map((a) => a.group).filter((g): g is string => g !== undefined));
  const met = groups.size >= need;
  return {
    id,
    description: `approvals from at least ${need} distinct company groups${id.startsWith('shared') ? ' among owners of the shared code touched' : ''} (now ${groups.size}: ${[...groups].join(', ') || 'none'})`,
    status: met ? 'met' : 'open',
    satisfiedBy: approvals.map((a) => a.user),
    // Only someone from a group not yet represented moves the count.
    couldSatisfy: met ? [] : candidates(pool).filter((l) => {
      const g = groupOn(ctx.model, l, ctx.asOf);
      return g !== undefined && !groups.has(g);
    }),
    ref: ctx.ref(pointer),
  };
}

/**
 * Each reviewer's latest review that says something about approval. A comment-only review leaves an
 * earlier approval standing, as on GitHub; a dismissal withdraws it. The reviews are oldest first.
 */
function latestReviews(reviews: readonly TimedReview[]): TimedReview[] {
  const latest = new Map<string, TimedReview>();
  for (const r of reviews) if (r.state !== 'COMMENTED') latest.set(r.user.toLowerCase(), r);
  return [...latest.values()];
}
