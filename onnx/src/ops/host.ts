import { HearthError, broadcastShapes, broadcastStrides, normalizeAxis, sizeOf, stridesOf } from '@hearth/core';
import type { GraphNode } from '../graph.js';
import { elementType } from '../proto.js';
import { hostValue, isHost, isIntElement, numbers, type ElementType, type HostValue, type Value } from '../values.js';
import { expandedShape, flattened, reshapeTarget, sliceArgs, squeezed, unsqueezed } from './shapes.js';
import { melWeights, windowValues } from './spectral.js';

/**
 * Host evaluation of the small computations a graph makes on shapes and constants (Shape -> Gather ->
 * Concat -> Reshape and the like): exact, in float64, with no device round trip. A node runs here when
 * every input is on the host (Shape and Size only need their input's shape) and the result is small.
 */
type HostFn = (xs: readonly HostValue[], node: GraphNode, opset: number) => HostValue | HostValue[];

/** The largest result, in elements, computed on the host; anything bigger runs on the device. */
export const HOST_LIMIT = 4096;

const same = (x: HostValue, shape: readonly number[]) => ({ ...x, shape: [...shape] });
const attrs = <T>(node: GraphNode, name: string, dflt: T): T => (node.attrs.get(name) as T | undefined) ?? dflt;
const opsetAxes = (xs: readonly HostValue[], node: GraphNode, opset: number, from: number) => (opset < from ? attrs<number[] | undefined>(node, 'axes', undefined) : xs[1] ? numbers(xs[1]) : undefined);

function broadcast(fn: (a: number, b: number) => number, out?: ElementType): HostFn {
  return ([a, b]) => {
    const shape = broadcastShapes(a!.shape, b!.shape);
    const [sa, sb] = [broadcastStrides(a!.shape, shape.length), broadcastStrides(b!.shape, shape.length)];
    const st = stridesOf(shape);
    const n = sizeOf(shape);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let ia = 0;
      let ib = 0;
      for (let d = 0, r = i; d < shape.length; d++) {
        const q = Math.floor(r / st[d]!);
        r -= q * st[d]!;
        ia += q * sa[d]!;
        ib += q * sb[d]!;
      }
      data[i] = fn(a!.data[ia]!, b!.data[ib]!);
    }
    return hostValue(out ?? a!.type, shape, data);
  };
}

const isInt = isIntElement;

/** The element type `output_datatype` names (float32 by default). */
const outputType = (node: GraphNode) => elementType(attrs(node, 'output_datatype', 1), `node "${node.name}" (${node.opType}) attribute "output_datatype"`);

const window: HostFn = ([n], node) => hostValue(outputType(node), [n!.data[0]!], windowValues(node.opType, n!.data[0]!, attrs<number>(node, 'periodic', 1) !== 0));

const HOST_OPS: Readonly<Record<string, HostFn>> = {
  Identity: ([x]) => x!,
  HannWindow: window,
  HammingWindow: window,
  BlackmanWindow: window,
  MelWeightMatrix: ([bins, dft, rate, lo, hi], node) => {
    const [b, d] = [bins!.data[0]!, dft!.data[0]!];
    return hostValue(outputType(node), [Math.floor(d / 2) + 1, b], melWeights(b, d, rate!.data[0]!, lo!.data[0]!, hi!.data[0]!));
  },
  Shape: ([x], node) => {
    const dims = x!.shape;
    const start = attrs(node, 'start', 0);
    const end = attrs(node, 'end', dims.length);
    const s = dims.slice(start < 0 ? Math.max(0, start + dims.length) : start, end < 0 ? end + dims.length : end);
    return hostValue('int64', [s.length], s);
  },
  Size: ([x]) => hostValue('int64', [], [sizeOf(x!.shape)]),
  DequantizeLinear: dequantize,
  Cast: ([x], node) => {
    const to = elementType(attrs(node, 'to', 0), `node "${node.name}" (Cast) attribute "to"`);
    const data = isInt(to) && !isInt(x!.type) ? Array.from(x!.data, Math.trunc) : x!.data;
    return hostValue(to, x!.shape, data);
  },
  Reshape: ([x, s], node) => same(x!, reshapeShape(x!.shape, reshapeTarget(x!.shape, numbers(s!), attrs(node, 'allowzero', 0) !== 0))),
  Flatten: ([x], node) => same(x!, flattened(x!.shape, attrs(node, 'axis', 1))),
  Squeeze: (xs, node, opset) => same(xs[0]!, squeezed(xs[0]!.shape, opsetAxes(xs, node, opset, 13))),
  Unsqueeze: (xs, node, opset) => same(xs[0]!, unsqueezed(xs[0]!.shape, opsetAxes(xs, node, opset, 13) ?? [])),
  Concat: (xs, node) => {
    if (xs.some((x) => x.shape.length !== 1 && x.shape.length !== 0)) throw new Unhandled();
    return hostValue(xs[0]!.type, [xs.reduce((n, x) => n + sizeOf(x.shape), 0)], xs.flatMap((x) => Array.from(x.data)));
  },
  Gather: ([x, idx], node) => {
    if (x!.shape.length !== 1 || normalizeAxis(attrs(node, 'axis', 0), 1) !== 0) throw new Unhandled();
    const n = x!.shape[0]!;
    const data = Array.from(idx!.data, (i) => {
      const j = i < 0 ? i + n : i;
      if (j < 0 || j >= n) throw new HearthError('E_INDEX_OUT_OF_RANGE', `node "${node.name}" (Gather): index ${i} is outside an axis of ${n}.`, { node: node.name });
      return x!.data[j]!;
    });
    return hostValue(x!.type, idx!.shape, data);
  },
  Slice: (xs, node, opset) => {
    const x = xs[0]!;
    const [starts, ends, axes, steps] = opset < 10 ? [attrs<number[]>(node, 'starts', []), attrs<number[]>(node, 'ends', []), attrs<number[] | undefined>(node, 'axes', undefined), undefined] : [numbers(xs[1]!), numbers(xs[2]!), xs[3] && numbers(xs[3]), xs[4] && numbers(xs[4])];
    const a = sliceArgs(x.shape, starts, ends, axes, steps);
    // The indices kept along each axis (all of them where the slice does not name it).
    const kept = x.shape.map((n, axis) => {
      const at = a.axes.indexOf(axis);
      if (at < 0) return [...Array(n).keys()];
      const step = a.steps[at]!;
      const norm = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v < 0 ? v + n : v));
      const out: number[] = [];
      if (step > 0) for (let i = norm(a.starts[at]!, 0, n); i < norm(a.ends[at]!, 0, n); i += step) out.push(i);
      else for (let i = norm(a.starts[at]!, -1, n - 1); i > norm(a.ends[at]!, -1, n - 1); i += step) out.push(i);
      return out;
    });
    const shape = kept.map((k) => k.length);
    const [from, to] = [stridesOf(x.shape), stridesOf(shape)];
    const data = new Float64Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) {
      let src = 0;
      for (let d = 0, r = i; d < shape.length; d++) {
        const q = Math.floor(r / to[d]!);
        r -= q * to[d]!;
        src += kept[d]![q]! * from[d]!;
      }
      data[i] = x.data[src]!;
    }
    return hostValue(x.type, shape, data);
  },
  Range: ([s, l, d]) => {
    const [start, limit, delta] = [s!.data[0]!, l!.data[0]!, d!.data[0]!];
    const n = Math.max(Math.ceil((limit - start) / delta), 0);
    return hostValue(s!.type, [n], Array.from({ length: n }, (_, i) => start + i * delta));
  },
  ConstantOfShape: ([s], node) => {
    const v = node.attrs.get('value') as HostValue | undefined;
    const shape = numbers(s!);
    return hostValue(v?.type ?? 'float32', shape, new Float64Array(sizeOf(shape)).fill(v ? v.data[0]! : 0));
  },
  Expand: ([x, s]) => {
    const shape = expandedShape(x!.shape, numbers(s!));
    return broadcast((a) => a)([x!, hostValue(x!.type, shape, new Float64Array(sizeOf(shape)))], {} as GraphNode, 0) as HostValue;
  },
  Add: broadcast((a, b) => a + b),
  Sub: broadcast((a, b) => a - b),
  Mul: broadcast((a, b) => a * b),
  Div: (xs, node, opset) => broadcast(isInt(xs[0]!.type) ? (a, b) => Math.trunc(a / b) : (a, b) => a / b)(xs, node, opset),
  Max: broadcast(Math.max),
  Min: broadcast(Math.min),
  Equal: broadcast((a, b) => +(a === b), 'bool'),
  Less: broadcast((a, b) => +(a < b), 'bool'),
  Greater: broadcast((a, b) => +(a > b), 'bool'),
  LessOrEqual: broadcast((a, b) => +(a <= b), 'bool'),
  GreaterOrEqual: broadcast((a, b) => +(a >= b), 'bool'),
  And: broadcast((a, b) => +(a !== 0 && b !== 0), 'bool'),
  Or: broadcast((a, b) => +(a !== 0 || b !== 0), 'bool'),
  Transpose: ([x], node) => transposed(x!, attrs<number[] | undefined>(node, 'perm', undefined)),
  Not: ([x]) => hostValue('bool', x!.shape, Array.from(x!.data, (v) => +!v)),
  Neg: ([x]) => hostValue(x!.type, x!.shape, Array.from(x!.data, (v) => -v)),
  Abs: ([x]) => hostValue(x!.type, x!.shape, Array.from(x!.data, Math.abs)),
  Ceil: ([x]) => hostValue(x!.type, x!.shape, Array.from(x!.data, Math.ceil)),
  Floor: ([x]) => hostValue(x!.type, x!.shape, Array.from(x!.data, Math.floor)),
  Relu: ([x]) => hostValue(x!.type, x!.shape, Array.from(x!.data, (v) => Math.max(v, 0))),
  Where: ([c, a, b]) => whereExact(c!, a!, b!, broadcastShapes(broadcastShapes(c!.shape, a!.shape), b!.shape)),
};

/** A small value transposed (PyTorch's exported pads go through one), reversed axes when `perm` is left out. */
function transposed(x: HostValue, perm: readonly number[] | undefined): HostValue {
  const rank = x.shape.length;
  const p = perm ?? [...Array(rank).keys()].reverse();
  const shape = p.map((a) => x.shape[a]!);
  const [from, to] = [stridesOf(x.shape), stridesOf(shape)];
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0, r = i; d < rank; d++) {
      const q = Math.floor(r / to[d]!);
      r -= q * to[d]!;
      src += q * from[p[d]!]!;
    }
    out[i] = x.data[src]!;
  }
  return hostValue(x.type, shape, out);
}

/** Where, element by element over the broadcast shape. */
function whereExact(c: HostValue, a: HostValue, b: HostValue, shape: readonly number[]): HostValue {
  const n = sizeOf(shape);
  const st = stridesOf(shape);
  const strides = [c, a, b].map((v) => broadcastStrides(v.shape, shape.length));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = [0, 0, 0];
    for (let d = 0, r = i; d < shape.length; d++) {
      const q = Math.floor(r / st[d]!);
      r -= q * st[d]!;
      for (let k = 0; k < 3; k++) idx[k]! += q * strides[k]![d]!;
    }
    out[i] = c.data[idx[0]!] ? a.data[idx[1]!]! : b.data[idx[2]!]!;
  }
  return hostValue(a.type, shape, out);
}

/** Reshape's -1 inferred. */
function reshapeShape(input: readonly number[], target: readonly number[]): number[] {
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return target.map((d) => (d === -1 ? sizeOf(input) / known : d));
}

/**
 * DequantizeLinear of host values: (x - zero_point) * scale, per tensor or per channel along `axis`. At load it
 * turns a quantized model's int8 weights into float32 initializers, so the float kernels run them. Each
 * element is one float32 product, as on a device: x - zero_point is a small integer, exact, and its product
 * with a float32 scale is exact in float64 before the one rounding to float32.
 */
function dequantize([x, scale, zp]: readonly HostValue[], node: GraphNode): HostValue {
  if (!isIntElement(x!.type) || (zp && zp.type !== x!.type) || scale!.type !== 'float32') throw new Unhandled(); // the device mapping says why
  const rank = x!.shape.length;
  const perAxis = scale!.shape.length === 1 && scale!.shape[0] !== 1;
  const axis = perAxis ? normalizeAxis(attrs(node, 'axis', 1), rank) : 0;
  if ((perAxis && scale!.shape[0] !== x!.shape[axis]) || (zp && zp.data.length !== scale!.data.length)) throw new Unhandled();
  const inner = perAxis ? sizeOf(x!.shape.slice(axis + 1)) : 1;
  const channels = perAxis ? x!.shape[axis]! : 1;
  const out = new Float32Array(x!.data.length);
  for (let i = 0; i < out.length; i++) {
    const c = perAxis ? Math.floor(i / inner) % channels : 0;
    out[i] = (x!.data[i]! - (zp ? zp.data[c]! : 0)) * scale!.data[c]!;
  }
  return { kind: 'host', type: 'float32', shape: [...x!.shape], data: out };
}

/** Ops folded at load whatever their result's size: DequantizeLinear of constant weights. */
const FOLD_ANY_SIZE = new Set(['DequantizeLinear']);

/** True when Hearth can evaluate the op on the host (for small values). */
export const hostEvaluable = (opType: string): boolean => opType in HOST_OPS;

/** Thrown by a host function for a case it leaves to the device. */
class Unhandled extends Error {}

/** Only the shape of these ops' input matters: they run on the host even when the input is on a device. */
const SHAPE_ONLY = new Set(['Shape', 'Size']);

/**
 * Evaluates a node on the host when it can: every input known there (or only its shape needed), a host
 * function for the op, and a small result (any size for DequantizeLinear when `atLoad`, constant folding). Undefined when the node should run on the device.
 */
export function evalOnHost(node: GraphNode, inputs: readonly (Value | undefined)[], opset: number, atLoad = false): HostValue[] | undefined {
  const fn = HOST_OPS[node.opType];
  if (!fn || (node.domain !== '' && node.domain !== 'ai.onnx')) return undefined;
  if (SHAPE_ONLY.has(node.opType)) {
    const x = inputs.find((v): v is Value => v !== undefined)!;
    return [fn([{ kind: 'host', type: 'float32', shape: x.shape, data: new Float32Array(0) }], node, opset) as HostValue];
  }
  // Checked before anything is made: most nodes a run tries here have an input on the device.
  const limit = atLoad && FOLD_ANY_SIZE.has(node.opType) ? Infinity : HOST_LIMIT;
  for (const v of inputs) if (v !== undefined && (!isHost(v) || sizeOf(v.shape) > limit)) return undefined;
  try {
    const out = fn(inputs.map((v) => v as HostValue), node, opset);
    const outs = Array.isArray(out) ? out : [out];
    return outs.every((o) => sizeOf(o.shape) <= limit) ? outs : undefined;
  } catch (e) {
    if (e instanceof Unhandled) return undefined;
    throw e;
  }
}

/** The value of a Constant node of the default domain, or undefined for any other node. */
export function constantOf(n: GraphNode): HostValue | undefined {
  if (n.opType !== 'Constant' || (n.domain !== '' && n.domain !== 'ai.onnx') || n.attrs.size !== 1) return undefined;
  const [name, v] = [...n.attrs][0]!;
  return name === 'value' ? (v as HostValue)
    : name === 'value_float' ? hostValue('float32', [], [v as number])
    : name === 'value_int' ? hostValue('int64', [], [v as number])
    : name === 'value_floats' ? hostValue('float32', [(v as number[]).length], v as number[])
    : name === 'value_ints' ? hostValue('int64', [(v as number[]).length], v as number[])
    : undefined;
}
