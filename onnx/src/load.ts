import { readFile } from 'node:fs/promises';
import { describeError, HearthError, type Hearth } from '@hearth/core';
import { buildGraph, type Graph } from './graph.js';
import { OnnxModel } from './model.js';
import { optimize, readConstants, type OptimizeOptions, type OptimizeReport } from './optimize.js';
import { decodeModel } from './proto.js';
import { checkSupported, defaultOpset, unsupportedNodes, type Unsupported } from './validate.js';

/** Options of {@link loadOnnx}. */
export interface LoadOptions {
  /** The runtime the model runs on. */
  readonly hearth: Hearth;
  /** The device its tensors live on (the runtime's default device when left out). */
  readonly device?: string;
  /** Graph optimisations, each on unless set to false; `false` turns them all off. */
  readonly optimize?: OptimizeOptions | false;
}

/** The bytes of a model given as bytes or a file path. */
async function bytesOf(source: Uint8Array | ArrayBuffer | string): Promise<Uint8Array> {
  if (typeof source === 'string') {
    try {
      return new Uint8Array(await readFile(source));
    } catch (e) {
      throw new HearthError('E_ARG', `Cannot read the ONNX model "${source}": ${describeError(e)}.`, { path: source }, { cause: e });
    }
  }
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  throw new HearthError('E_ARG', 'loadOnnx takes the model as a Uint8Array, an ArrayBuffer or a file path.');
}

/** Parses and optimises a model without binding it to a runtime. */
async function prepare(source: Uint8Array | ArrayBuffer | string, options: OptimizeOptions | false | undefined): Promise<{ graph: Graph; report: OptimizeReport }> {
  const model = decodeModel(await bytesOf(source));
  const graph = readConstants(buildGraph(model, defaultOpset(model)));
  const off = { constantFolding: false, deadNodes: false, foldBatchNorm: false, fuse: false };
  return optimize(graph, options === false ? off : options);
}

/**
 * Loads an ONNX model (bytes or a file path) for a Hearth runtime. The model is parsed, its `ai.onnx` opset
 * checked (7 to 21), optimised, and every node checked before anything runs: a node Hearth cannot run is an
 * `E_UNSUPPORTED` error naming the node, its op, the opset and what is missing; a malformed or truncated file
 * is `E_MODEL`. The model runs on the runtime's default device unless `device` names another; where that
 * device lacks a kernel, the runtime's fallback policy decides.
 */
export async function loadOnnx(source: Uint8Array | ArrayBuffer | string, options: LoadOptions): Promise<OnnxModel> {
  if (!options || typeof options.hearth?.op !== 'function') throw new HearthError('E_ARG', 'loadOnnx needs the runtime to run on: loadOnnx(bytes, { hearth }).');
  const { graph, report } = await prepare(source, options.optimize);
  checkSupported(graph);
  const device = options.device ?? options.hearth.defaultDevice;
  options.hearth.memoryOf(device); // a device this runtime lacks is E_DEVICE here, not at the first run
  return new OnnxModel(options.hearth, graph, device, report);
}

/**
 * Every node of a model Hearth cannot run, all at once (empty when it runs them all). Malformed files are
 * still errors (`E_MODEL`), as is an opset outside 7 to 21.
 */
export async function checkOnnx(source: Uint8Array | ArrayBuffer | string): Promise<Unsupported[]> {
  const { graph } = await prepare(source, undefined);
  return unsupportedNodes(graph);
}

/**
 * The op types a model's nodes use, each once in order of first use (`domain.OpType` outside the default
 * domain): what a model needs, read from the protobuf alone (nothing is checked, so it answers for models
 * that do not load too). A malformed file is `E_MODEL`.
 */
export async function onnxOpTypes(source: Uint8Array | ArrayBuffer | string): Promise<string[]> {
  const nodes = decodeModel(await bytesOf(source)).graph!.node ?? [];
  return [...new Set(nodes.map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType ?? '')))];
}
