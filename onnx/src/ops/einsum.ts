import { HearthError, type Hearth, type Tensor } from '@hearth/core';
import type { OnnxOp, OpContext, OpTable } from './context.js';

// Einsum as Hearth ops: repeated labels of one operand become a diagonal, labels no one else needs are
// summed out, and each further operand is contracted with what came before by one batched matmul (the
// shared labels the output keeps as the batch, the others as the sum). Each op runs in the node's scope.

/** A tensor and the label of each of its axes. */
interface Labelled {
  readonly t: Tensor;
  readonly labels: readonly string[];
}

/** The labels of each operand and of the output; `...` becomes placeholder labels, right-aligned. */
function parseEquation(c: OpContext, ranks: readonly number[]): { inputs: string[][]; output: string[] } {
  const eq = c.attr('equation', '').replace(/\s/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) throw new HearthError('E_MODEL', `${c.where}: equation "${eq}" has ${terms.length} operands, the node ${ranks.length} inputs.`, { node: c.node.name });
  const letters = (term: string) => term.replace('...', '').split('');
  const ellipsis = Math.max(0, ...terms.map((t, i) => (t.includes('...') ? ranks[i]! - letters(t).length : 0)));
  const dots = Array.from({ length: ellipsis }, (_, j) => `...${j}`);
  const expand = (term: string, rank: number) => {
    if (!term.includes('...')) return letters(term);
    const [before, after] = term.split('...') as [string, string];
    return [...before.split('').filter(Boolean), ...dots.slice(ellipsis - (rank - letters(term).length)), ...after.split('').filter(Boolean)];
  };
  const inputs = terms.map((t, i) => expand(t, ranks[i]!));
  inputs.forEach((labels, i) => {
    if (labels.length !== ranks[i]) throw new HearthError('E_MODEL', `${c.where}: "${terms[i]}" names ${labels.length} axes of an input of rank ${ranks[i]}.`, { node: c.node.name });
  });
  if (rhs !== undefined) return { inputs, output: expand(rhs, rhs.includes('...') ? letters(rhs).length + ellipsis : letters(rhs).length) };
  // Implicit output: the ellipsis axes, then every letter used once, in alphabetical order (NumPy's rule).
  const all = inputs.flat().filter((l) => !l.startsWith('...'));
  return { inputs, output: [...dots, ...[...new Set(all)].filter((l) => all.indexOf(l) === all.lastIndexOf(l)).sort()] };
}

/** Takes the diagonal of every label repeated within one operand. */
function diagonals(h: Hearth, x: Labelled): Labelled {
  let { t, labels } = x;
  for (let q = 1; q < labels.length; q++) {
    const p = labels.indexOf(labels[q]!);
    if (p === q) continue;
    const n = t.shape[p]!;
    const shape = t.shape.map((_, i) => (i === p || i === q ? n : 1));
    const ids = h.arange(0, n, 1, { dtype: 'int32', device: t.device });
    const eye = h.cast(h.eq(h.reshape(ids, [n, 1]), h.reshape(ids, [1, n])), t.dtype);
    t = h.sum(h.mul(t, h.reshape(eye, shape)), [q]);
    labels = labels.filter((_, i) => i !== q);
    q--;
  }
  return { t, labels };
}

/** Sums out the labels not in `keep`. */
function sumOut(h: Hearth, x: Labelled, keep: ReadonlySet<string>): Labelled {
  const axes = x.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  return axes.length ? { t: h.sum(x.t, axes), labels: x.labels.filter((l) => keep.has(l)) } : x;
}

/** Contracts two operands over their shared labels not in `keep`; the shared ones in `keep` are the batch. */
function contract(h: Hearth, a: Labelled, b: Labelled, keep: ReadonlySet<string>): Labelled {
  const inB = new Set(b.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !a.labels.includes(l));
  const size = (x: Labelled, l: string) => x.t.shape[x.labels.indexOf(l)]!;
  const common = (l: string) => Math.max(size(a, l), size(b, l)); // a size-1 ellipsis axis broadcasts
  const arrange = (x: Labelled, order: readonly string[]) => {
    const t = h.transpose(x.t, order.map((l) => x.labels.indexOf(l)));
    return h.expand(t, order.map((l) => (batch.includes(l) || summed.includes(l) ? common(l) : size(x, l))));
  };
  const prod = (ls: readonly string[], x: Labelled) => ls.reduce((p, l) => p * (batch.includes(l) || summed.includes(l) ? common(l) : size(x, l)), 1);
  const [B, M, K, N] = [prod(batch, a), prod(aOnly, a), prod(summed, a), prod(bOnly, b)];
  const left = h.reshape(arrange(a, [...batch, ...aOnly, ...summed]), [B, M, K]);
  const right = h.reshape(arrange(b, [...batch, ...summed, ...bOnly]), [B, K, N]);
  const shape = [...batch.map(common), ...aOnly.map((l) => size(a, l)), ...bOnly.map((l) => size(b, l))];
  return { t: h.reshape(h.matmul(left, right), shape), labels: [...batch, ...aOnly, ...bOnly] };
}

function einsum(c: OpContext): Tensor {
  const h = c.hearth;
  const xs = Array.from({ length: c.inputCount }, (_, i) => c.tensor(i));
  const { inputs, output } = parseEquation(c, xs.map((x) => x.rank));
  const operands = xs.map((t, i) => diagonals(h, { t, labels: inputs[i]! }));
  // Each step keeps the labels the output or a later operand needs.
  const needed = (from: number) => new Set([...output, ...operands.slice(from).flatMap((o) => o.labels)]);
  let acc = sumOut(h, operands[0]!, needed(1));
  for (let i = 1; i < operands.length; i++) acc = contract(h, acc, sumOut(h, operands[i]!, new Set([...needed(i + 1), ...acc.labels])), needed(i + 1));
  acc = sumOut(h, acc, new Set(output));
  return h.transpose(acc.t, output.map((l) => acc.labels.indexOf(l)));
}

/** Einsum (opset 12). */
export const EINSUM_OPS: OpTable = {
  Einsum: { kind: 'decomposed', attrs: ['equation'], since: 12, run: einsum } satisfies OnnxOp,
};
