import type { Graph } from './graph.js';

/** When each intermediate value can be freed: planned once from the graph. */
export interface MemoryPlan {
  /** For each node (by position), the values whose last reader it is. */
  readonly freeAfter: readonly (readonly string[])[];
}

/**
 * Plans lifetimes: a value made by a node, or fed by the caller, is freed right after its last reader ran.
 * Graph outputs and constants are never freed by a run.
 */
export function planMemory(graph: Graph): MemoryPlan {
  const keep = new Set([...graph.outputs.map((o) => o.name), ...graph.constants.keys()]);
  const last = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    for (const v of n.inputs) if (v && !keep.has(v)) last.set(v, i);
  });
  const freeAfter = graph.nodes.map(() => [] as string[]);
  for (const [v, i] of last) freeAfter[i]!.push(v);
  // A node output no one reads is freed right after its node.
  graph.nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o && !keep.has(o) && !last.has(o)) freeAfter[i]!.push(o);
  });
  return { freeAfter };
}
