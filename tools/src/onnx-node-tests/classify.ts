import { HearthError } from '@hearth/core';
import { checkOnnx, mappedOps, onnxOpTypes, type UnsupportedReason } from '@hearth/onnx';

/**
 * Why a node test does not map to Hearth: what `hearth run --check` finds in its nodes
 * ({@link UnsupportedReason}), or what stops the model loading at all: an element type Hearth does not read
 * (`element-type`: uint8, string, bfloat16...), a sequence, map or optional value (`non-tensor`), a graph
 * attribute Hearth does not read (`subgraph`: a list of graphs), an `ai.onnx` opset outside 7 to 21 (`opset`), or no `ai.onnx`
 * import at all (`domain`: the training domain's optimisers).
 */
export type UnmappedReason = UnsupportedReason | 'element-type' | 'non-tensor' | 'subgraph' | 'opset' | 'domain';

/** Whether a node test maps to Hearth, and if not, why. */
export type Mapping =
  | { readonly mapped: true }
  | {
      readonly mapped: false;
      readonly reason: UnmappedReason;
      /** The model's op types that @hearth/onnx does not map (any reason), for the tally of unmapped ops. */
      readonly unmappedOps: readonly string[];
      /** What the checker said. */
      readonly detail: string;
    };

/** The reason a model does not load, from the details of @hearth/onnx's error. */
function loadFailure(e: HearthError): UnmappedReason | undefined {
  const d = e.details;
  if (d['domains'] !== undefined) return 'domain';
  if (d['opset'] !== undefined) return 'opset';
  if (d['elementType'] !== undefined) return 'element-type';
  if (d['valueType'] !== undefined) return 'non-tensor';
  if (d['attribute'] !== undefined) return 'subgraph';
  return undefined;
}

/**
 * Decides with @hearth/onnx's own checker (`checkOnnx`, what `hearth run --check` uses) whether a test's
 * model maps to Hearth. An error that is none of the known reasons (a corrupt file) is thrown.
 */
export async function classify(model: Uint8Array): Promise<Mapping> {
  let detail: string;
  let reason: UnmappedReason;
  try {
    const found = await checkOnnx(model);
    if (!found.length) return { mapped: true };
    // The op is the first thing to name: an attribute of an op with no mapping is moot.
    reason = (found.find((u) => u.reason === 'op') ?? found[0]!).reason;
    detail = found.map((u) => `${u.opType}: unsupported ${u.missing}`).join('; ');
  } catch (e) {
    const why = e instanceof HearthError ? loadFailure(e) : undefined;
    if (!why) throw e;
    reason = why;
    detail = (e as HearthError).message;
  }
  const mapped = new Set(mappedOps().map((o) => o.opType));
  const unmappedOps = (await onnxOpTypes(model)).filter((op) => !mapped.has(op));
  return { mapped: false, reason, unmappedOps, detail };
}
