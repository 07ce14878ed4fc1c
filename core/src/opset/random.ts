import { HearthError } from '../errors.js';
import { checkShape } from '../shape.js';
import { attr } from './attrs.js';
import { attrOf, type OpSchema } from './schema.js';

const GENERATOR =
  'Philox4x32-10 (Salmon et al. 2011; multipliers 0xD2511F53, 0xCD9E8D57; key bumps 0x9E3779B9, 0xBB67AE85) with key ' +
  '[seed mod 2^32, floor(seed / 2^32)] and counter [i, 0, 0, 0] for block i, whose words w0..w3 feed elements 4i..4i+3';

function seeded(name: string, doc: string, params: OpSchema['attrs'], check: (attrs: Readonly<Record<string, unknown>>) => void): OpSchema {
  return {
    name,
    family: 'random',
    doc,
    inputs: [],
    attrs: { shape: attr.ints({ min: 0 }), seed: attr.int({ min: 0 }), ...params, dtype: attr.dtype({ default: 'float32' }) },
    compute: 'attr',
    output: 'compute',
    computeDtypes: 'float',
    meta(_ins, attrs) {
      check(attrs);
      return checkShape(attrOf<number[]>(attrs, 'shape'));
    },
    since: 2,
  };
}

function finite(op: string, attrs: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  for (const n of names) {
    const v = attrOf<number>(attrs, n);
    if (!Number.isFinite(v)) throw new HearthError('E_ATTR', `${op}: ${n} must be finite, got ${v}.`, { op, attr: n });
  }
}

/** Seeded random tensors, identical on every backend: the generator is part of the operator. */
export const RANDOM_OPS_V2: readonly OpSchema[] = [
  seeded(
    'random_uniform',
    `Uniform values in [low, high): u = (w >>> 8) · 2^-24 per word w of ${GENERATOR}; low + (high - low) · u computed in float64, then rounded to dtype (so high itself may appear after rounding).`,
    { low: attr.number({ default: 0 }), high: attr.number({ default: 1 }) },
    (attrs) => {
      finite('random_uniform', attrs, ['low', 'high']);
      if (attrOf<number>(attrs, 'low') > attrOf<number>(attrs, 'high')) throw new HearthError('E_ATTR', 'random_uniform: low must not exceed high.', { op: 'random_uniform' });
    },
  ),
  seeded(
    'random_normal',
    `Normal values mean + std · z by Box-Muller on word pairs (w0, w1) → elements 4i, 4i+1 and (w2, w3) → 4i+2, 4i+3 of ${GENERATOR}: ` +
      'u1 = ((wa >>> 8) + 1) · 2^-24, u2 = (wb >>> 8) · 2^-24, r = √(-2 ln u1), z = r cos(2π u2), r sin(2π u2); in float64, then rounded.',
    { mean: attr.number({ default: 0 }), std: attr.number({ default: 1 }) },
    (attrs) => {
      finite('random_normal', attrs, ['mean', 'std']);
      if (attrOf<number>(attrs, 'std') < 0) throw new HearthError('E_ATTR', 'random_normal: std must be >= 0.', { op: 'random_normal' });
    },
  ),
];

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** The high 32 bits of the 64-bit product of two uint32s. */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const lo = al * bl;
  const mid1 = ah * bl;
  const mid2 = al * bh;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (ah * bh + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/**
 * One Philox4x32-10 block for counter [i, 0, 0, 0] and the key of `seed`, written into `out` (4 uint32
 * words). The reference generator of the random operators, for TypeScript backends.
 */
export function philoxBlock(seed: number, i: number, out: Uint32Array): void {
  let k0 = seed >>> 0;
  let k1 = Math.floor(seed / 2 ** 32) >>> 0;
  let c0 = i >>> 0;
  let c1 = Math.floor(i / 2 ** 32) >>> 0;
  let c2 = 0;
  let c3 = 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** The uniform variate in [0, 1) of one Philox word. */
export const uniformOf = (w: number): number => (w >>> 8) * 2 ** -24;
