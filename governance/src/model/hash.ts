import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so the same data always gives the same text (and so
 * the same hash) whatever order a YAML file or a JSON round trip put the keys in.
 */
export function canonicalJson(value: unknown): string {
  // JSON.stringify does the writing (fast, native); the replacer hands it each object with its keys sorted.
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** The content hash that freezes a model: `sha256:` and the hex digest of its canonical JSON. */
export function contentHash(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}

/** The git blob hash of a file's text, as git and GitHub name the file's content. */
export function gitBlobSha(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
