/**
 * @hearth/core: Hearth's vendor-neutral core. It defines what an operator is (the opset, as data), what a
 * device must provide ({@link Backend}), how plugins contribute ({@link HearthPlugin}), and runs calls
 * through one dispatcher, so every backend agrees on shapes, dtypes and errors.
 *
 * @packageDocumentation
 */
import './api.js';
import './api-v2.js';
import './user-tools.js';
import './record-api.js';

export { HearthError, isHearthError, isErrorCode, describeError, formatValue, ERROR_CODES, type ErrorCode } from './errors.js';
export { CORE_API_VERSION, OPSET_VERSION } from './version.js';
export {
  type DType,
  type FloatDType,
  type ElementOf,
  type Promoted,
  type FloatTypeFor,
  type HostArray,
  type HostArrays,
  DTYPES,
  REQUIRED_DTYPES,
  dtypeCode,
  dtypeBytes,
  isFloat,
  isDType,
  hostArray,
  promoteTypes,
  floatTypeFor,
  elementProblem,
} from './dtype.js';
export { type Shape, type NestedArray, type NestedArrays, type ArrayOf, type LowerRanks, type BroadcastRank, MAX_RANK, sizeOf, stridesOf, broadcastStrides, sameShape, checkShape, broadcastShapes, normalizeAxis, normalizeAxes } from './shape.js';
export { OPSET, OPSET_V1, OPSET_V2_ADDED, opsetOps, opId, getOp } from './opset/index.js';
export { kindOf } from './opset/schema.js';
export type { OpSchema, InputSpec, DTypeClass, TensorMeta, ComputeRule, OutputRule, OpKind, OpBuilder, Decomposition, CompositeBound } from './opset/schema.js';
export { resizeSource, nearestIndex, type CoordinateTransformationMode, type NearestMode } from './opset/resize.js';
export { transposedOutput } from './opset/conv-transpose.js';
export { philoxBlock, uniformOf } from './opset/random.js';
export { attr, parseAttrs, type AttrSpec } from './opset/attrs.js';
export { reductionAxes, reducedShape } from './opset/reduce.js';
export { inferReshape, sliceAxes, type SliceAxis } from './opset/movement.js';
export { windowOutput, poolStride } from './opset/conv.js';
export { arangeLength } from './opset/creation.js';
export type { Backend, BackendStats, DeviceInfo, DeviceStorage } from './backend.js';
export type { KernelFn, KernelSpec, KernelTensor, KernelContext, Provenance } from './kernel.js';
export type { HearthPlugin, PluginManifest, PluginHost, PluginOrigin, BackendFactory, BackendOptions } from './plugin.js';
export { checkManifest, pluginExport, pluginOpset, type PluginRecord, type KernelOverride } from './plugins.js';
export { backendProblems } from './backend-check.js';
export { pickDefault, type BackendChoice, type DefaultChoice } from './selection.js';
export { DEFAULT_MAX_ALLOCATION_BYTES } from './device.js';
export { MAX_DEVICES, MAX_PLUGIN_STRING, MAX_PLUGIN_MESSAGE } from './limits.js';
export type { KernelEntry } from './kernel-table.js';
export { Tensor } from './tensor.js';
export type { HelperCreateOptions, Profile, ProfiledOp } from './user-tools.js';
export type { Recorded } from './record-api.js';
export type { Recording } from './recording.js';
export type { TensorData, TensorOptions, DataDType, DataRank } from './host-data.js';
export type { DTypeOf, RankOf, OperandDType, CommonDType, BroadcastRankOf, MatmulRank } from './op-types.js';
export type { DeviceLedger, LiveTensor } from './ledger.js';
export type { TransferCounters } from './memory.js';
export type { FallbackPolicy, FallbackOptions, KernelHook } from './dispatcher.js';
export type { HearthEvents, FallbackEvent, TransferEvent, KernelEvent, DisagreementEvent, SavedTensor } from './events.js';
export { DEFAULT_VERIFY_RATE, type VerifyOptions, type VerifyStats } from './field-check.js';
export {
  createHearth,
  DEFAULT_TIMEOUT_MS,
  Hearth,
  type HearthOptions,
  type ReadyReport,
  type DeviceReport,
  type BackendFailure,
  type Explanation,
} from './runtime.js';
export type {
  TensorLike,
  OpsApi,
  TensorOps,
  CreationApi,
  ReduceOptions,
  ArgReduceOptions,
  SliceOptions,
  PadOptions,
  Conv2dOptions,
  Pool2dOptions,
  CreateOptions,
  ReductionFn,
  ReductionMethod,
  ReductionKind,
  Reduced,
} from './api.js';
export type {
  OpsApiV2,
  TensorOpsV2,
  RandomApi,
  RandomOptions,
  ModOptions,
  CumsumOptions,
  TopkOptions,
  TopkResult,
  ResizeOptions,
  ConvTranspose2dOptions,
  NormOptions,
  LayerNormOptions,
  BatchNormOptions,
  LinearOptions,
} from './api-v2.js';
