import type { Hearth, Tensor } from '@hearth/core';
import type { GraphNode } from '../graph.js';
import type { OnnxOp, OpContext, OpTable } from './context.js';

// RNN, GRU and LSTM, unrolled over the sequence: the input projection of every step is one matmul, then each
// step is a matmul with the recurrence weights and elementwise gates. Each step runs in its own scope, so a
// long sequence holds only the states and the outputs, not every step's gates.

/** The gate activations ONNX lets a recurrent node name, as Hearth ops. */
const ACTIVATIONS: Readonly<Record<string, (h: Hearth, x: Tensor) => Tensor>> = {
  Sigmoid: (h, x) => h.sigmoid(x),
  Tanh: (h, x) => h.tanh(x),
  Relu: (h, x) => h.relu(x),
};

type Activation = (x: Tensor) => Tensor;

/** One direction's weights, sliced from the [num_directions, ...] inputs. */
interface Weights {
  /** [hidden, gates * hidden]: R transposed. */
  readonly r: Tensor;
  /** [gates * hidden]: W's bias and R's (zeros when B is omitted). */
  readonly wb: Tensor;
  readonly rb: Tensor;
  /** The direction, 0 or 1. */
  readonly d: number;
}

/** A cell: from one step's input projection X W' and the states before it, the states after it (H first). */
type Step = (xw: Tensor, states: readonly Tensor[]) => Tensor[];

/** Makes a direction's step function, once per direction (so its weight slices are made once). */
type Cell = (h: Hearth, acts: readonly Activation[], weights: Weights, c: OpContext) => Step;

/** Checks what every recurrent op shares: the activations it names, no variable lengths, a known hidden size. */
function checkRecurrent(defaults: readonly string[]) {
  return (node: GraphNode): string | undefined => {
    const names = (node.attrs.get('activations') as string[] | undefined) ?? [];
    const unknown = names.find((n) => !(n in ACTIVATIONS));
    if (unknown !== undefined) return `activation "${unknown}" (Hearth maps ${Object.keys(ACTIVATIONS).join(', ')})`;
    const directions = node.attrs.get('direction') === 'bidirectional' ? 2 : 1;
    if (names.length && names.length !== defaults.length * directions) return `${names.length} activations (it takes ${defaults.length} per direction)`;
    if ((node.inputs[4] ?? '') !== '') return 'input sequence_lens (sequences of different lengths)';
    if (!node.attrs.has('hidden_size')) return 'attribute hidden_size';
    return undefined;
  };
}

/** Tensors stacked along a new axis. */
function stack(h: Hearth, ts: readonly Tensor[], axis: number): Tensor {
  return h.concat(ts.map((t) => h.reshape(t, [...t.shape.slice(0, axis), 1, ...t.shape.slice(axis)])), axis);
}

/** The `i`-th of `n` equal blocks of the last axis. */
function block(h: Hearth, t: Tensor, i: number, n: number): Tensor {
  const size = t.shape[t.rank - 1]! / n;
  return h.slice(t, { starts: [i * size], ends: [(i + 1) * size], axes: [t.rank - 1] });
}

/**
 * Runs a recurrent node: `gates` blocks of `hidden` per step, the cell given, its states from the initial-state
 * inputs `stateInputs` (zeros when omitted). Returns Y, then each final state, in the node's layout.
 */
function recurrent(c: OpContext, gates: number, defaults: readonly string[], stateInputs: readonly number[], cell: Cell): Tensor[] {
  const h = c.hearth;
  const hidden = c.attr('hidden_size', 0);
  const batchFirst = c.attr('layout', 0) === 1;
  const direction = c.attr('direction', 'forward');
  const directions = direction === 'bidirectional' ? 2 : 1;
  const names = (c.node.attrs.get('activations') as string[] | undefined) ?? (directions === 2 ? [...defaults, ...defaults] : defaults);
  // `clip` bounds the inputs of the gate activations (f and g), as ONNX Runtime applies it.
  const bound = c.node.attrs.has('clip') ? c.attr('clip', 0) : undefined;
  const clip = (t: Tensor) => (bound === undefined ? t : h.minimum(h.maximum(t, -bound), bound));
  let x = c.tensor(0);
  if (batchFirst) x = h.transpose(x, [1, 0, 2]);
  const [steps, batch, size] = x.shape as [number, number, number];
  // Every step's input projection at once: [steps * batch, input] x [input, gates * hidden].
  const flat = h.reshape(x, [steps * batch, size]);
  const ys: Tensor[] = [];
  const finals: Tensor[][] = stateInputs.map(() => []);
  for (let d = 0; d < directions; d++) {
    const one = (i: number) => h.reshape(h.slice(c.tensor(i), { starts: [d], ends: [d + 1], axes: [0] }), c.shape(i).slice(1));
    const b = c.has(3) ? one(3) : h.zeros([2 * gates * hidden], { device: x.device });
    const weights: Weights = { r: h.transpose(one(2)), wb: block(h, b, 0, 2), rb: block(h, b, 1, 2), d };
    const acts = names.slice(d * defaults.length, (d + 1) * defaults.length).map((n, i): Activation => {
      const f = ACTIVATIONS[n]!;
      return i < 2 ? (t) => f(h, clip(t)) : (t) => f(h, t);
    });
    const step = cell(h, acts, weights, c);
    const xw = h.reshape(h.matmul(flat, h.transpose(one(1))), [steps, batch, gates * hidden]);
    let states = stateInputs.map((i) => (c.has(i) ? one(i) : h.zeros([batch, hidden], { device: x.device })));
    const outs = new Array<Tensor>(steps);
    for (let s = 0; s < steps; s++) {
      const t = direction === 'reverse' || d === 1 ? steps - 1 - s : s;
      const before = states;
      states = h.scope(() => step(h.reshape(h.slice(xw, { starts: [t], ends: [t + 1], axes: [0] }), [batch, gates * hidden]), before));
      outs[t] = states[0]!;
    }
    ys.push(stack(h, outs, 0));
    states.forEach((st, i) => finals[i]!.push(st));
  }
  // Y is [steps, directions, batch, hidden] and each state [directions, batch, hidden]; batch first with layout 1.
  const y = stack(h, ys, 1);
  const last = finals.map((f) => stack(h, f, 0));
  return batchFirst ? [h.transpose(y, [2, 0, 1, 3]), ...last.map((t) => h.transpose(t, [1, 0, 2]))] : [y, ...last];
}

/** RNN: H = f(X W' + Wb + H R' + Rb). */
const rnnCell: Cell = (h, [f], { r, wb, rb }) => {
  const bias = h.add(wb, rb);
  return (xw, [hPrev]) => [f!(h.add(h.add(xw, bias), h.matmul(hPrev!, r)))];
};

/** GRU, gates z, r, h: the candidate applies the reset gate after its recurrence matmul, or before (`linear_before_reset`). */
const gruCell: Cell = (h, [f, g], { r, wb, rb }, c) => {
  const after = c.attr('linear_before_reset', 0) !== 0;
  const hidden = r.shape[0]!;
  // X W' + Wb, plus Rb for z and r (the candidate's Rb stays apart when the reset gate multiplies it).
  const bias = h.add(wb, h.concat([h.slice(rb, { starts: [0], ends: [2 * hidden] }), h.zeros([hidden], { device: rb.device })], 0));
  const rzr = h.slice(r, { starts: [0], ends: [2 * hidden], axes: [1] });
  const rh = block(h, r, 2, 3);
  const rbh = block(h, rb, 2, 3);
  return (xw, [hPrev]) => {
    const x = h.add(xw, bias);
    const hr = h.matmul(hPrev!, rzr);
    const z = f!(h.add(block(h, x, 0, 3), block(h, hr, 0, 2)));
    const reset = f!(h.add(block(h, x, 1, 3), block(h, hr, 1, 2)));
    const recurrence = after ? h.mul(reset, h.add(h.matmul(hPrev!, rh), rbh)) : h.add(h.matmul(h.mul(reset, hPrev!), rh), rbh);
    const candidate = g!(h.add(block(h, x, 2, 3), recurrence));
    // H = (1 - z) candidate + z H_prev, written as candidate + z (H_prev - candidate).
    return [h.add(candidate, h.mul(z, h.sub(hPrev!, candidate)))];
  };
};

/** LSTM, gates i, o, f, c, with peepholes P [directions, 3 * hidden] (i, o, f) when given. */
const lstmCell: Cell = (h, [f, g, out], { r, wb, rb, d }, c) => {
  const bias = h.add(wb, rb);
  const p = c.has(7) ? h.reshape(h.slice(c.tensor(7), { starts: [d], ends: [d + 1], axes: [0] }), [c.shape(7)[1]!]) : undefined;
  const peep = p ? [0, 1, 2].map((i) => block(h, p, i, 3)) : undefined;
  const gate = (t: Tensor, i: number, state: Tensor) => f!(peep ? h.add(t, h.mul(peep[i]!, state)) : t);
  return (xw, [hPrev, cPrev]) => {
    const pre = h.add(h.add(xw, bias), h.matmul(hPrev!, r));
    const input = gate(block(h, pre, 0, 4), 0, cPrev!);
    const forget = gate(block(h, pre, 2, 4), 2, cPrev!);
    const cell = h.add(h.mul(forget, cPrev!), h.mul(input, g!(block(h, pre, 3, 4))));
    const output = gate(block(h, pre, 1, 4), 1, cell);
    return [h.mul(output, out!(cell)), cell];
  };
};

const common = ['activations', 'clip', 'direction', 'hidden_size', 'layout'];

/** The recurrent ops, unrolled over the sequence (opset 7's definitions; `layout` from opset 14). */
export const RNN_OPS: OpTable = {
  RNN: { kind: 'decomposed', attrs: common, check: checkRecurrent(['Tanh']), run: (c) => recurrent(c, 1, ['Tanh'], [5], rnnCell) } satisfies OnnxOp,
  GRU: {
    kind: 'decomposed',
    attrs: [...common, 'linear_before_reset'],
    check: checkRecurrent(['Sigmoid', 'Tanh']),
    run: (c) => recurrent(c, 3, ['Sigmoid', 'Tanh'], [5], gruCell),
  } satisfies OnnxOp,
  LSTM: {
    kind: 'decomposed',
    attrs: [...common, 'input_forget'],
    check: (node) => checkRecurrent(['Sigmoid', 'Tanh', 'Tanh'])(node) ?? (node.attrs.get('input_forget') ? 'input_forget = 1 (coupled input and forget gates)' : undefined),
    run: (c) => recurrent(c, 4, ['Sigmoid', 'Tanh', 'Tanh'], [5, 6], lstmCell),
  } satisfies OnnxOp,
};
