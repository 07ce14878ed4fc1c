import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const SCHEMA = JSON.parse(readFileSync(new URL('../../schema/results.schema.json', import.meta.url), 'utf8')) as object;

/**
 * Validates parsed results.json data against the published schema; returns the problems (empty when valid).
 * Registries and bots use this to check a submitted bundle before trusting it.
 */
export function validateResults(data: unknown): string[] {
  const validate = new Ajv({ allErrors: true, validateFormats: false }).compile(SCHEMA);
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
}
