import { HearthError, normalizeAxis, type Hearth, type Tensor } from '@hearth/core';
import type { GraphNode } from '../graph.js';
import { elementType } from '../proto.js';
import { INT8_RANGES, elementTypeOf, isHost, isIntElement, type ElementType } from '../values.js';
import type { OnnxOp, OpContext, OpTable } from './context.js';

/**
 * The QDQ format's ops (how `quantize_static` and PyTorch export quantized models): int8/uint8 values are
 * int32 on devices, dequantized to float32 as (x - zero_point) * scale and quantized back as
 * saturate(round_half_even(x / scale) + zero_point), in Hearth ops any device has. Scales and zero points
 * are per tensor, or per channel along `axis` (opset 13 on).
 */

/** The element type a zero point's input has, refusing one that is not an integer. */
function zeroPointType(c: OpContext, i: number): ElementType | undefined {
  const v = c.value(i);
  if (v === undefined) return undefined;
  const t = elementTypeOf(v);
  if (!isIntElement(t)) {
    throw new HearthError('E_DTYPE', `${c.where}: the zero point "${c.node.inputs[i]}" is ${t}; it must have the quantized type (uint8 or int8, int32 for DequantizeLinear).`, { node: c.node.name, input: c.node.inputs[i], elementType: t });
  }
  if (isHost(v) && isHost(c.value(0)) && elementTypeOf(c.value(0)!) !== t && c.node.opType === 'DequantizeLinear') {
    throw new HearthError('E_DTYPE', `${c.where}: the zero point is ${t} but x is ${elementTypeOf(c.value(0)!)}; they must have the same type.`, { node: c.node.name, elementType: t });
  }
  return t;
}

/** A per-axis scale or zero point (1-D, one per channel) reshaped to broadcast along `axis` of x. */
function alongAxis(c: OpContext, i: number): Tensor {
  const t = c.tensor(i);
  const rank = c.shape(0).length;
  if (t.shape.length === 0 || (t.shape.length === 1 && t.shape[0] === 1)) return t;
  const axis = normalizeAxis(c.attr('axis', 1), rank);
  if (t.shape.length !== 1 || t.shape[0] !== c.shape(0)[axis]) {
    throw new HearthError('E_SHAPE', `${c.where}: input "${c.node.inputs[i]}" has shape [${t.shape.join(', ')}]; per-axis it must be 1-D with ${c.shape(0)[axis]} elements (x's axis ${axis}).`, { node: c.node.name });
  }
  return c.hearth.reshape(t, Array.from({ length: rank }, (_, d) => (d === axis ? t.shape[0]! : 1)));
}

/** Saturates whole numbers to the range of `type`, as int32 (how devices hold uint8 and int8). */
function saturate(h: Hearth, x: Tensor, type: ElementType): Tensor {
  const [lo, hi] = INT8_RANGES[type as 'uint8' | 'int8'];
  return h.cast(h.minimum(h.maximum(x, lo), hi), 'int32');
}

/** Refuses the opset 21 variants Hearth does not run: blocked quantization and 4-bit or float8 outputs. */
function check(node: GraphNode): string | undefined {
  if (((node.attrs.get('block_size') as number | undefined) ?? 0) !== 0) return 'block_size (blocked quantization)';
  if (((node.attrs.get('saturate') as number | undefined) ?? 1) !== 1) return 'saturate = 0 (float8 outputs)';
  const out = node.attrs.get('output_dtype') as number | undefined;
  return out !== undefined && out !== 0 && out !== 2 && out !== 3 ? `output_dtype ${out} (Hearth quantizes to uint8 and int8)` : undefined;
}

const dequantizeLinear: OnnxOp = {
  kind: 'decomposed',
  attrs: ['axis', 'block_size'],
  since: 10,
  check,
  run: (c) => {
    zeroPointType(c, 2);
    const h = c.hearth;
    return h.scope(() => {
      const x = h.cast(c.tensor(0), 'float32');
      const centred = c.has(2) ? h.sub(x, h.cast(alongAxis(c, 2), 'float32')) : x;
      // From opset 19 the output has the scale's type (float16 too): computed in float32, then rounded once.
      const scale = alongAxis(c, 1);
      const y = h.mul(centred, scale.dtype === 'float32' ? scale : h.cast(scale, 'float32'));
      return scale.dtype === 'float32' ? y : h.cast(y, scale.dtype);
    });
  },
};

const quantizeLinear: OnnxOp = {
  kind: 'decomposed',
  attrs: ['axis', 'saturate', 'block_size', 'output_dtype'],
  since: 10,
  check,
  run: (c) => {
    const out = c.attr('output_dtype', 0);
    const zp = zeroPointType(c, 2);
    // output_dtype: opset 21's, or set at load from a zero point the graph computes (held as int32 on a device).
    const type = out ? elementType(out, `${c.where} attribute "output_dtype"`) : (zp ?? 'uint8');
    if (type !== 'uint8' && type !== 'int8') throw new HearthError('E_DTYPE', `${c.where}: the zero point is ${type}; QuantizeLinear makes uint8 or int8.`, { node: c.node.name, elementType: type });
    if (out && zp && zp !== 'int32' && zp !== type) throw new HearthError('E_DTYPE', `${c.where}: the zero point is ${zp} but output_dtype says ${type}; they must agree.`, { node: c.node.name, elementType: zp });
    const h = c.hearth;
    return h.scope(() => {
      const q = h.div(h.cast(c.tensor(0), 'float32'), alongAxis(c, 1));
      const r = h.round(q);
      return saturate(h, c.has(2) ? h.add(r, h.cast(alongAxis(c, 2), 'float32')) : r, type);
    });
  },
};

/**
 * DynamicQuantizeLinear: uint8 with the scale and zero point of x's range widened to hold 0,
 * scale = (max(0, max x) - min(0, min x)) / 255 (1 when that is 0), zero_point = saturate(round(-min / scale)).
 */
const dynamicQuantizeLinear: OnnxOp = {
  kind: 'decomposed',
  attrs: [],
  since: 11,
  run: (c) => {
    const h = c.hearth;
    return h.scope(() => {
      const x = c.tensor(0);
      const lo = h.minimum(h.min(x), 0);
      const hi = h.maximum(h.max(x), 0);
      // An all-zero x has no range: scale 1 (as ONNX Runtime), so y and the zero point are 0, not 0 / 0.
      const range = h.sub(hi, lo);
      const scale = h.where(h.eq(range, 0), 1, h.div(range, 255));
      const zp = saturate(h, h.round(h.div(h.neg(lo), scale)), 'uint8');
      const y = saturate(h, h.add(h.round(h.div(x, scale)), h.cast(zp, 'float32')), 'uint8');
      return [y, scale, zp];
    });
  },
};

/** The quantization ops of the default domain. */
export const QUANTIZE_OPS: OpTable = { DequantizeLinear: dequantizeLinear, QuantizeLinear: quantizeLinear, DynamicQuantizeLinear: dynamicQuantizeLinear };
