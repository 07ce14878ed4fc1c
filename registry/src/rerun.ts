import type { CaseResult, RunResult } from '@hearth/conformance';

/**
 * How much better than the bot's own measurement a submitted accuracy figure may be, as a fraction of it.
 * The same plugin can measure differently on two machines (a thread count changes a sum's order), so a
 * claim may be up to a quarter better than the bot's figure; a claim better than that, or a claim of no
 * error where the bot measured some, is a false statement about the plugin.
 */
export const ACCURACY_SLACK = 0.25;

/** What a rerun found against the uploaded results. */
export interface RerunComparison {
  /** True when the bot's run passes and the uploaded results say what it found. */
  readonly ok: boolean;
  /** Why not, or what was confirmed, in a sentence. */
  readonly message: string;
}

const num = (x: unknown): number => (typeof x === 'number' ? x : Number(x));

/** Says how an uploaded case's accuracy figures understate the bot's, or undefined when they don't. */
function understated(uploaded: CaseResult, mine: CaseResult): string | undefined {
  const measured = mine.accuracy && num(mine.accuracy.maxUlp);
  if (measured === undefined || !(measured > 0)) return undefined;
  const claimed = uploaded.accuracy && num(uploaded.accuracy.maxUlp);
  if (claimed === undefined) return `${uploaded.id}: no accuracy figures uploaded, the bot measured ${measured} ULP`;
  return claimed >= measured * (1 - ACCURACY_SLACK) ? undefined : `${uploaded.id}: uploaded ${claimed} ULP, the bot measured ${measured} ULP`;
}

/**
 * Compares the bot's own run (`rerun`, with its fresh draws) with the uploaded results: the bot's run must
 * pass, fresh draws included; every uploaded case must have the bot's status; and no uploaded accuracy
 * figure may be better than the bot's measurement by more than {@link ACCURACY_SLACK}.
 */
export function compareRerun(uploaded: RunResult | undefined, rerun: RunResult): RerunComparison {
  const mine = new Map(rerun.results.map((r) => [r.id, r]));
  const differ: string[] = [];
  const flattering: string[] = [];
  for (const r of uploaded?.results ?? []) {
    const m = mine.get(r.id);
    if (m?.status !== r.status) differ.push(`${r.id}: uploaded ${r.status}, rerun ${m?.status ?? 'absent'}`);
    else {
      const why = understated(r, m);
      if (why) flattering.push(why);
    }
  }
  const fresh = rerun.suite.freshSeed !== undefined ? ` with fresh draws (seed ${rerun.suite.freshSeed})` : '';
  const problems = [
    differ.length ? `disagrees with the uploaded results on ${differ.length} case(s): ${differ.slice(0, 5).join('; ')}` : '',
    flattering.length ? `measured more error than the uploaded results claim on ${flattering.length} case(s): ${flattering.slice(0, 5).join('; ')}` : '',
  ].filter(Boolean);
  if (rerun.verdict !== 'pass') return { ok: false, message: `the bot's own run${fresh} fails: ${rerun.reasons.join('; ')}${problems.length ? `; it ${problems.join('; it ')}` : ''}` };
  if (problems.length) return { ok: false, message: `the bot's own run${fresh} ${problems.join('; it ')}` };
  return { ok: true, message: `the bot reran the suite on ${rerun.device.name ?? rerun.device.type}${fresh}: ${rerun.results.length} cases pass, as uploaded; the published figures are the bot's` };
}
