import type { OpSchema } from '@hearth/core';
import { tensor } from './data.js';
import type { Draft, SpecContext } from './spec.js';

/**
 * The error cases every op gets from its schema alone: an unknown attribute, each attribute with an invalid
 * value, each required attribute left out, the wrong number of inputs, and bool inputs to numeric-only ops.
 */
export function schemaErrors(schema: OpSchema, c: SpecContext, base: Draft): Draft[] {
  const attrs = { ...(base.attrs ?? {}) };
  const out: Draft[] = [c.err('unknown-attr', base.inputs, { ...attrs, bogus: 1 }, 'E_ATTR')];
  for (const [name, spec] of Object.entries(schema.attrs)) {
    out.push(c.err(`attr-${name}-invalid`, base.inputs, { ...attrs, [name]: 'invalid' }, 'E_ATTR'));
    if (!spec.optional) {
      const without = { ...attrs };
      delete without[name];
      out.push(c.err(`attr-${name}-missing`, base.inputs, without, 'E_ATTR'));
    }
  }
  const first = base.inputs[0];
  if (schema.inputs.length === 0) {
    out.push(c.err('unexpected-input', [tensor('float32', [1], [1])], attrs, 'E_ARG'));
  } else {
    out.push(c.err('no-inputs', [], attrs, 'E_ARG'));
    if (!schema.inputs.some((s) => s.variadic) && first) {
      out.push(c.err('too-many-inputs', Array.from({ length: schema.inputs.length + 1 }, () => first), attrs, 'E_ARG'));
    }
  }
  const numericOnly = schema.compute === 'promote' && (schema.computeDtypes === 'numeric' || schema.computeDtypes === 'float');
  if (numericOnly && first) {
    const inputs = base.inputs.map((t, i) => (schema.inputs[Math.min(i, schema.inputs.length - 1)]!.promote ? tensor('bool', t.shape, t.data.map((v) => (v !== 0 ? 1 : 0))) : t));
    out.push(c.err('bool-input', inputs, attrs, 'E_DTYPE'));
  }
  schema.inputs.forEach((spec, i) => {
    const t = base.inputs[i];
    if (!spec.promote && t) {
      const wrong = spec.dtypes === 'bool' ? 'float32' : 'bool';
      const inputs = base.inputs.map((x, k) => (k === i ? tensor(wrong, x.shape, x.data.map((v) => (v !== 0 ? 1 : 0))) : x));
      out.push(c.err(`${spec.name}-dtype`, inputs, attrs, 'E_DTYPE'));
    }
  });
  return out;
}
