import { broadcastShapes } from '../shape.js';
import { attr } from './attrs.js';
import { promoted, type OpSchema } from './schema.js';

/** Elementwise primitives of opset v2: `erf` and `mod`. */
export const MATH_OPS_V2: readonly OpSchema[] = [
  {
    name: 'erf',
    family: 'unary',
    doc: 'The error function 2/√π ∫₀ˣ e^(-t²) dt; erf(±0) = ±0, erf(±Inf) = ±1, erf(NaN) = NaN. int32 and bool compute in float32.',
    inputs: [promoted('x')],
    attrs: {},
    compute: 'float',
    output: 'compute',
    computeDtypes: 'float',
    meta: (ins) => ins[0]!.shape,
    since: 2,
  },
  {
    name: 'mod',
    family: 'binary',
    doc:
      'Remainder of a / b, broadcast and promoted. fmod = false (default): floored, the sign of b (a - floor(a/b)·b, Python\'s %); ' +
      'fmod = true: truncated, the sign of a (C fmod); a zero result takes the sign of b (floored) or of a (fmod). ' +
      'int32 is exact and b = 0 gives 0; float b = 0 or a = ±Inf gives NaN; ' +
      'a mod ±Inf is a under fmod, and under floored mod a when a and b have the same sign (or a = 0), else b.',
    inputs: [promoted('a'), promoted('b')],
    attrs: { fmod: attr.bool({ default: false }) },
    compute: 'promote',
    output: 'compute',
    computeDtypes: 'numeric',
    meta: (ins) => broadcastShapes(ins[0]!.shape, ins[1]!.shape),
    since: 2,
  },
];
