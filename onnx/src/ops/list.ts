import { ONNX_OPS } from './index.js';

/** The ONNX op types Hearth maps, each with how it runs (one Hearth op or a decomposition), sorted by name. */
export function mappedOps(): { readonly opType: string; readonly kind: 'primitive' | 'decomposed'; readonly since: number }[] {
  return Object.entries(ONNX_OPS)
    .map(([opType, op]) => ({ opType, kind: op.kind, since: op.since ?? 1 }))
    .sort((a, b) => a.opType.localeCompare(b.opType));
}
