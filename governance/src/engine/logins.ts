import { sameLogin } from '../model/query.js';

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
