/**
 * Days and instants. Every instant is parsed once, where it enters (a snapshot, a command line, a
 * frozen record), into milliseconds since the epoch, and compared as a number from then on: text
 * compares differently for `10:00:00Z`, `10:00:00.000Z` and `12:00:00+02:00`, which are one instant.
 * Days (`YYYY-MM-DD`) are UTC days, so results never depend on the machine's zone.
 */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** An ISO 8601 day, or a date-time with seconds optional and an explicit zone (`Z` or `±hh:mm`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** Milliseconds since the epoch at the start (UTC) of an ISO day. */
export function dayStart(day: string): number {
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

/**
 * Milliseconds since the epoch of an ISO instant (`2024-07-01`, `2024-07-01T10:00Z`,
 * `2024-07-01T12:00:00.000+02:00`); undefined for anything else, including a date-time without a
 * zone, whose meaning would depend on the machine's clock settings.
 */
export function parseInstant(text: string): number | undefined {
  if (!ISO_INSTANT.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? t : undefined;
}

/** An instant as ISO text (`2024-07-01T10:00:00.000Z`), for messages and results. */
export function iso(t: number): string {
  return new Date(t).toISOString();
}

/** The ISO day (UTC) an instant falls on. */
export function dayOf(t: number): string {
  return iso(t).slice(0, 10);
}

/** True when the instant falls within the days [from, to] (`to` inclusive, and open when absent). */
export function within(t: number, from: string, to: string | undefined): boolean {
  return t >= dayStart(from) && (to === undefined || t < dayStart(to) + DAY_MS);
}

/** Milliseconds in a duration such as `30m`, `72h`, `7d` or `2w` (the schema admits only these forms, bounded). */
export function durationMs(duration: string): number {
  const match = /^(\d+)(m|h|d|w)$/.exec(duration);
  if (match === null) throw new RangeError(`not a duration: ${duration}`);
  const unit = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS }[match[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}
