import { HearthError, Tensor } from '@hearth/core';
import { isSubgraph, type GraphNode, type Subgraph } from '../graph.js';
import { deviceData, deviceDtype, hostValue, isHost, type HostValue, type Value } from '../values.js';
import { OpContext, type OnnxOp, type OpTable } from './context.js';
import { constantOf, evalOnHost } from './host.js';

// Control flow: If runs the branch its condition picks, Loop its body while its count and condition allow,
// Scan its body once per slice of its scanned inputs, node by node, inside the node's own scope (intermediates are freed with it). Conditions and counts
// must be known on the host: a constant, a shape computation, or a graph input read back per run (Silero
// VAD's sample-rate switch). Values a subgraph reads from the graphs around it are the node's extra inputs
// (graph.ts), so the memory plan keeps them alive until it runs.

/** A host value on the node's device. */
function upload(c: OpContext, v: Value, what: () => string): Tensor {
  return isHost(v) ? c.hearth.tensor(deviceData(v, what), { dtype: deviceDtype(v.type), shape: v.shape, device: c.device }) : v;
}

/** The node's inputs by name (its own and the outer values its subgraphs read), for a subgraph's environment. */
function outerValues(c: OpContext): Map<string, Value> {
  const env = new Map<string, Value>();
  c.node.inputs.forEach((name, i) => {
    const v = c.value(i);
    if (name && v !== undefined) env.set(name, v);
  });
  return env;
}

/** Runs the nodes of `g` on `env` (values by name) and returns its outputs, on the host or a device. */
function runSubgraph(c: OpContext, g: Subgraph, env: Map<string, Value>, table: OpTable): Value[] {
  const h = c.hearth;
  const read = (name: string, node: string): Value => {
    const v = env.get(name) ?? g.constants.get(name);
    if (v === undefined) throw new HearthError('E_MODEL', `${c.where}: "${name}", read by node "${node}" of its branch, has no value.`, { node: c.node.name });
    return v;
  };
  for (const n of g.nodes) {
    const constant = constantOf(n);
    if (constant) {
      env.set(n.outputs[0]!, constant);
      continue;
    }
    const inputs = n.inputs.map((name) => (name === '' ? undefined : read(name, n.name)));
    while (inputs.length > 0 && inputs[inputs.length - 1] === undefined) inputs.length--;
    let outs: readonly Value[] | undefined = evalOnHost(n, inputs, c.opset);
    if (!outs) {
      const op = table[n.opType]!;
      const ctx = new OpContext(h, n, c.opset, c.device, inputs, (v: HostValue, node: GraphNode, i: number) => upload(c, v, () => `node "${node.name}" (${node.opType}) input "${node.inputs[i]}"`));
      const made = op.run(ctx);
      outs = made instanceof Tensor ? [made] : made;
    }
    n.outputs.forEach((o, i) => {
      if (o && outs[i] !== undefined) env.set(o, outs[i]!);
    });
  }
  return g.outputs.map((name) => read(name, 'its output'));
}

/** Tensors stacked along a new first axis. */
const stack = (c: OpContext, ts: readonly Tensor[]) => c.hearth.concat(ts.map((t) => c.hearth.reshape(t, [1, ...t.shape])), 0);

/** If: the branch the host-known condition picks; `table` is every mapping, for the branch's nodes. */
export function ifOp(table: () => OpTable): OnnxOp {
  return {
    kind: 'decomposed',
    attrs: ['then_branch', 'else_branch'],
    check: (node) => (isSubgraph(node.attrs.get('then_branch')) && isSubgraph(node.attrs.get('else_branch')) ? undefined : 'then_branch and else_branch as graphs'),
    run: (c) => {
      const branch = c.node.attrs.get(c.scalar(0) ? 'then_branch' : 'else_branch') as Subgraph;
      return runSubgraph(c, branch, outerValues(c), table()).map((v, i) => upload(c, v, () => `${c.where} output ${i}`));
    },
  };
}

/**
 * Loop: the body runs while the iteration count M (input 0) and the condition (input 1, then the body's first
 * output) allow, carrying values from one iteration to the next; each scan output of the body is stacked
 * along a new first axis. The condition the body computes must be known on the host.
 */
export function loopOp(table: () => OpTable): OnnxOp {
  return {
    kind: 'decomposed',
    attrs: ['body'],
    check: (node) => (isSubgraph(node.attrs.get('body')) ? undefined : 'body as a graph'),
    run: (c) => {
      const body = c.node.attrs.get('body') as Subgraph;
      const count = c.has(0) ? c.scalar(0)! : Infinity;
      let cond = c.has(1) ? c.scalar(1) !== 0 : true;
      const carried = body.inputs.length - 2;
      let values: Value[] = Array.from({ length: carried }, (_, k) => c.value(2 + k)!);
      const scans: Tensor[][] = Array.from({ length: body.outputs.length - 1 - carried }, () => []);
      const outer = outerValues(c);
      for (let i = 0; i < count && cond; i++) {
        const env = new Map(outer);
        env.set(body.inputs[0]!, hostValue('int64', [], [i]));
        env.set(body.inputs[1]!, hostValue('bool', [], [cond ? 1 : 0]));
        values.forEach((v, k) => env.set(body.inputs[2 + k]!, v));
        // Each iteration in its own scope: only what it hands on (carried values, scan outputs) outlives it.
        const [next, ...rest] = c.hearth.scope(() => runSubgraph(c, body, env, table()));
        if (!isHost(next!)) throw new HearthError('E_UNSUPPORTED', `${c.where}: its body computes the loop condition on the device; Hearth runs loops whose condition is known on the host (a constant or a shape computation).`, { node: c.node.name });
        cond = next.data[0] !== 0;
        values = rest.slice(0, carried);
        rest.slice(carried).forEach((v, k) => scans[k]!.push(upload(c, v, () => `${c.where} scan output ${k}`)));
      }
      if (scans.some((s) => s.length === 0)) throw new HearthError('E_UNSUPPORTED', `${c.where}: the loop ran no iteration, so its scan outputs have no known shape.`, { node: c.node.name });
      return [...values.map((v, k) => upload(c, v, () => `${c.where} output ${k}`)), ...scans.map((s) => stack(c, s))];
    },
  };
}

/**
 * Scan (opset 9 on): the body runs once per slice of the scanned inputs along their axes (backwards where a
 * direction is 1), carrying state values; each scan output is stacked along its axis (reversed where its
 * direction is 1).
 */
export function scanOp(table: () => OpTable): OnnxOp {
  return {
    kind: 'decomposed',
    attrs: ['body', 'num_scan_inputs', 'scan_input_axes', 'scan_input_directions', 'scan_output_axes', 'scan_output_directions'],
    check: (node, opset) => (opset < 9 ? "opset 8's Scan (a batch axis and sequence_lens; convert the model to opset 9 or later)" : isSubgraph(node.attrs.get('body')) ? undefined : 'body as a graph'),
    run: (c) => {
      const h = c.hearth;
      const body = c.node.attrs.get('body') as Subgraph;
      const scanned = c.attr('num_scan_inputs', 0);
      const states = body.inputs.length - scanned;
      const list = (name: string, n: number) => (c.node.attrs.get(name) as number[] | undefined) ?? new Array<number>(n).fill(0);
      const inputs = Array.from({ length: scanned }, (_, k) => c.tensor(states + k));
      const inAxes = list('scan_input_axes', scanned).map((a, k) => (a < 0 ? a + inputs[k]!.rank : a));
      const inDirs = list('scan_input_directions', scanned);
      const steps = inputs[0]?.shape[inAxes[0]!] ?? 0;
      if (inputs.some((t, k) => t.shape[inAxes[k]!] !== steps)) throw new HearthError('E_SHAPE', `${c.where}: its scanned inputs differ in length along their scan axes.`, { node: c.node.name });
      let values: Value[] = Array.from({ length: states }, (_, k) => c.value(k)!);
      const outs: Tensor[][] = Array.from({ length: body.outputs.length - states }, () => []);
      const outer = outerValues(c);
      for (let t = 0; t < steps; t++) {
        const env = new Map(outer);
        values.forEach((v, k) => env.set(body.inputs[k]!, v));
        inputs.forEach((x, k) => {
          const at = inDirs[k] ? steps - 1 - t : t;
          const slice = h.slice(x, { starts: [at], ends: [at + 1], axes: [inAxes[k]!] });
          env.set(body.inputs[states + k]!, h.reshape(slice, x.shape.filter((_, a) => a !== inAxes[k])));
        });
        const result = h.scope(() => runSubgraph(c, body, env, table()));
        values = result.slice(0, states);
        result.slice(states).forEach((v, k) => outs[k]!.push(upload(c, v, () => `${c.where} scan output ${k}`)));
      }
      if (outs.some((o) => o.length === 0)) throw new HearthError('E_UNSUPPORTED', `${c.where}: the scan has no step, so its scan outputs have no known shape.`, { node: c.node.name });
      const outAxes = list('scan_output_axes', outs.length);
      const outDirs = list('scan_output_directions', outs.length);
      const stacked = outs.map((o, k) => {
        const rank = o[0]!.rank + 1;
        const axis = outAxes[k]! < 0 ? outAxes[k]! + rank : outAxes[k]!;
        const ordered = outDirs[k] ? [...o].reverse() : o;
        return h.concat(ordered.map((t) => h.reshape(t, [...t.shape.slice(0, axis), 1, ...t.shape.slice(axis)])), axis);
      });
      return [...values.map((v, k) => upload(c, v, () => `${c.where} output ${k}`)), ...stacked];
    },
  };
}
