import { HearthError, Tensor } from '@hearth/core';
import { isSubgraph, type GraphNode, type Subgraph } from '../graph.js';
import { deviceData, deviceDtype, isHost, type HostValue, type Value } from '../values.js';
import { OpContext, type OnnxOp, type OpTable } from './context.js';
import { constantOf, evalOnHost } from './host.js';

// Control flow: If runs the branch its condition picks, node by node, inside the If node's own scope (its
// intermediates are freed with it). The condition must be known on the host: a constant, a shape computation,
// or a graph input read back per run (Silero VAD's sample-rate switch). Values a branch reads from the graphs
// around it are the If node's extra inputs (graph.ts), so the memory plan keeps them alive until it runs.

/** Runs the nodes of `g` on `env` (outer values by name) and returns its outputs as device tensors. */
function runSubgraph(c: OpContext, g: Subgraph, env: Map<string, Value>, table: OpTable): Tensor[] {
  const h = c.hearth;
  const upload = (v: HostValue, what: () => string) => h.tensor(deviceData(v, what), { dtype: deviceDtype(v.type), shape: v.shape, device: c.device });
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
      const ctx = new OpContext(h, n, c.opset, c.device, inputs, (v: HostValue, node: GraphNode, i: number) => upload(v, () => `node "${node.name}" (${node.opType}) input "${node.inputs[i]}"`));
      const made = op.run(ctx);
      outs = made instanceof Tensor ? [made] : made;
    }
    n.outputs.forEach((o, i) => {
      if (o && outs[i] !== undefined) env.set(o, outs[i]!);
    });
  }
  return g.outputs.map((name) => {
    const v = read(name, 'its output');
    return isHost(v) ? upload(v, () => `${c.where} output "${name}"`) : v;
  });
}

/** If: the branch the host-known condition picks; `table` is every mapping, for the branch's nodes. */
export function ifOp(table: () => OpTable): OnnxOp {
  return {
    kind: 'decomposed',
    attrs: ['then_branch', 'else_branch'],
    check: (node) => (isSubgraph(node.attrs.get('then_branch')) && isSubgraph(node.attrs.get('else_branch')) ? undefined : 'then_branch and else_branch as graphs'),
    run: (c) => {
      const cond = c.scalar(0);
      const branch = c.node.attrs.get(cond ? 'then_branch' : 'else_branch') as Subgraph;
      const env = new Map<string, Value>();
      // The node's own input is the condition; the others are the outer values its branches read.
      c.node.inputs.forEach((name, i) => {
        const v = i > 0 ? c.value(i) : undefined;
        if (v !== undefined) env.set(name, v);
      });
      return runSubgraph(c, branch, env, table());
    },
  };
}
