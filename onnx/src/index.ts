/**
 * @hearth/onnx: ONNX models on any Hearth runtime. {@link loadOnnx} parses a model (ONNX's own protobuf
 * definitions, through `onnx-proto`), maps each node to Hearth operators for its opset version, optimises the
 * graph, plans memory and runs it on whatever device the runtime selects.
 *
 * @packageDocumentation
 */
export { loadOnnx, checkOnnx, onnxOpTypes, type LoadOptions } from './load.js';
export { OnnxModel, type RunOptions, type RunReport, type NodeProfile, type NodeRunKind } from './model.js';
export type { OptimizeOptions, OptimizeReport } from './optimize.js';
export type { ValueSpec } from './graph.js';
export { deviceDtype, type ElementType } from './values.js';
export { readTensorProto, type OnnxTensor } from './proto.js';
export { OPSET_RANGE, type Unsupported, type UnsupportedReason } from './validate.js';
export { mappedOps } from './ops/list.js';
