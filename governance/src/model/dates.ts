/** Day arithmetic on ISO days (`YYYY-MM-DD`), in UTC so results never depend on the machine's zone. */

const DAY_MS = 86_400_000;

/** Milliseconds since the epoch at the start (UTC) of an ISO day. */
function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** True when the ISO day exists in the calendar (rejects `2024-02-30`). */
export function isRealDay(day: string): boolean {
  const t = dayStart(day);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === day;
}

/** The ISO day after `day`. */
export function nextDay(day: string): string {
  return new Date(dayStart(day) + DAY_MS).toISOString().slice(0, 10);
}

/** The ISO day (UTC) an instant falls on. */
function dayOf(instant: string | number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** True when the instant falls within [from, to] (days, `to` inclusive and open when absent). */
export function within(instant: string, from: string, to: string | undefined): boolean {
  const day = dayOf(instant);
  return day >= from && (to === undefined || day <= to);
}

/** Milliseconds in a duration such as `30m`, `72h`, `7d` or `2w` (the schema admits only these forms). */
export function durationMs(duration: string): number {
  const match = /^(\d+)(m|h|d|w)$/.exec(duration);
  if (match === null) throw new RangeError(`not a duration: ${duration}`);
  const unit = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS }[match[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}
