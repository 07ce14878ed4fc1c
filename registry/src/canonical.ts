import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: the bytes a signature is made over. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** An integrity string as npm writes it: `sha512-` and the base64 digest. */
export function sha512Integrity(data: Buffer | string): string {
  return `sha512-${createHash('sha512').update(data).digest('base64')}`;
}
