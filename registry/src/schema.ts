import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const ajv = new Ajv({ allErrors: true, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();

/** The validator of one of this package's schemas (schema/<name>.schema.json), compiled once. */
function validator(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    const schema = JSON.parse(readFileSync(new URL(`../schema/${name}.schema.json`, import.meta.url), 'utf8')) as object;
    v = ajv.compile(schema);
    compiled.set(name, v);
  }
  return v;
}

/** One schema problem, at a JSON pointer under `base`. */
function describe(e: ErrorObject, base: string): string {
  const at = `${base}${e.instancePath}`;
  if (e.keyword === 'additionalProperties') return `${at}/${String(e.params['additionalProperty'])}: unknown field`;
  if (e.keyword === 'required') return `${at}/${String(e.params['missingProperty'])}: required field missing`;
  if (e.keyword === 'anyOf' && e.schemaPath === '#/anyOf') return `${at || '/'}: needs "entry" (the module exporting the plugin) or "nativeLibrary" (a shared library loaded through @hearth/plugin-native)`;
  if (e.keyword === 'enum') return `${at || '/'}: must be one of ${(e.params['allowedValues'] as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
  return `${at || '/'}: ${e.message ?? 'invalid'}`;
}

/**
 * Validates `data` against schema/<name>.schema.json; returns the problems as `pointer: message` lines
 * with pointers prefixed by `base` (e.g. `/hearth`), empty when valid.
 */
export function schemaProblems(name: string, data: unknown, base = ''): string[] {
  const v = validator(name);
  // anyOf's branches each report their own `required`; the anyOf line says it better alone.
  const errors = (v(data) ? [] : (v.errors ?? [])).filter((e) => !e.schemaPath.startsWith('#/anyOf/'));
  return [...new Set(errors.map((e) => describe(e, base)))];
}

/** Reads and parses a JSON file; returns the data or a one-line reason naming the file. */
export function readJson(file: string): { ok: true; data: unknown } | { ok: false; reason: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, reason: `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, reason: `${file}: not valid JSON (${(e as Error).message})` };
  }
}
