import { HearthError, kindOf, type OpSchema } from '@hearth/core';
import type { Coverage } from './ops.js';
import { formatTable } from '../table.js';

/** Finds an operator by name, or says which names exist (a near match first). */
export function findOp(ops: readonly OpSchema[], name: string): OpSchema {
  const op = ops.find((o) => o.name === name.trim().toLowerCase());
  if (op) return op;
  const near = ops.filter((o) => o.name.includes(name) || name.includes(o.name)).map((o) => o.name);
  throw new HearthError('E_UNKNOWN_OP', `No operator "${name}" in the opset.${near.length ? ` Did you mean ${near.join(', ')}?` : ''} \`hearth ops\` lists them all.`, { op: name });
}

const show = (v: unknown): string => (v === undefined ? '(required)' : JSON.stringify(v));

/** `hearth ops <op>`: what the operator computes, its inputs and attributes, and which backends have it. */
export function opDetail(op: OpSchema, coverage: readonly Coverage[]): string {
  const inputs = op.inputs.map((i) => `${i.name}${i.optional ? '?' : ''}${i.variadic ? '...' : ''} (${i.dtypes}${i.promote ? ', promoted' : ''})`);
  const attrs = Object.entries(op.attrs).map(([name, a]) => [name, a.type, a.optional ? show(a.default) : '(required)']);
  const kernels = coverage.map((c) => [c.device, (c.ops[op.name] ?? []).join(', ') || '-']);
  return [
    `${op.name} (${op.family}, ${kindOf(op)}, opset ${op.since ?? 1}): ${op.doc}`,
    ...(op.bound ? [`accuracy of a fused kernel against the decomposition: ${op.bound.text}`] : []),
    `inputs: ${inputs.join(', ') || 'none'}`,
    `compute dtype: ${op.compute} (allowed: ${op.computeDtypes}); output dtype: ${op.output}`,
    attrs.length ? `attributes:\n${formatTable(['attribute', 'type', 'default'], attrs)}` : 'attributes: none',
    kernels.length ? `kernels (compute dtypes per device type${kindOf(op) === 'composite' ? '; without one, the composite runs decomposed' : ''}):\n${formatTable(['device', 'dtypes'], kernels)}` : 'kernels: no installed plugin has one',
  ].join('\n');
}
