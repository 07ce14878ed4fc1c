import type { OracleFn } from './types.js';

const MASK = 0xffffffffn;

/** Philox4x32-10 of a counter and a key (32-bit words), in BigInt arithmetic from Salmon et al. (2011). */
export function philox4x32(counter: readonly number[], key: readonly number[]): [number, number, number, number] {
  let k0 = BigInt(key[0]!);
  let k1 = BigInt(key[1]!);
  let c = counter.map(BigInt);
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + 0x9e3779b9n) & MASK;
      k1 = (k1 + 0xbb67ae85n) & MASK;
    }
    const p0 = 0xd2511f53n * c[0]!;
    const p1 = 0xcd9e8d57n * c[2]!;
    c = [((p1 >> 32n) ^ c[1]! ^ k0) & MASK, p1 & MASK, ((p0 >> 32n) ^ c[3]! ^ k1) & MASK, p0 & MASK];
  }
  return c.map(Number) as [number, number, number, number];
}

/** The words of block `block` for `seed`, as the random operators define them: key [seed mod 2^32, seed / 2^32], counter [block, 0, 0, 0]. */
export function philox(seed: number, block: number): [number, number, number, number] {
  return philox4x32([block, 0, 0, 0], [seed % 2 ** 32, Math.floor(seed / 2 ** 32)]);
}

const unit = (w: number) => Math.floor(w / 256) / 2 ** 24;

function words(seed: number, size: number): number[] {
  const out: number[] = [];
  for (let b = 0; out.length < size; b++) out.push(...philox(seed, b));
  return out;
}

/** random_uniform: low + (high - low) · u in float64. */
export const randomUniformOracle: OracleFn = (_ins, attrs, _compute, out) => {
  const shape = attrs['shape'] as number[];
  const size = shape.reduce((a, d) => a * d, 1);
  const low = attrs['low'] as number;
  const high = attrs['high'] as number;
  const w = words(attrs['seed'] as number, size);
  return { shape: [...shape], dtype: out, values: Float64Array.from({ length: size }, (_, i) => low + (high - low) * unit(w[i]!)) };
};

/** random_normal: Box-Muller on word pairs, in float64. */
export const randomNormalOracle: OracleFn = (_ins, attrs, _compute, out) => {
  const shape = attrs['shape'] as number[];
  const size = shape.reduce((a, d) => a * d, 1);
  const w = words(attrs['seed'] as number, size + 1);
  const values = new Float64Array(size);
  const mag = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const pair = i - (i % 2);
    const u1 = (Math.floor(w[pair]! / 256) + 1) / 2 ** 24;
    const u2 = unit(w[pair + 1]!);
    const r = Math.sqrt(-2 * Math.log(u1));
    const z = i % 2 === 0 ? r * Math.cos(2 * Math.PI * u2) : r * Math.sin(2 * Math.PI * u2);
    values[i] = (attrs['mean'] as number) + (attrs['std'] as number) * z;
    mag[i] = Math.abs(attrs['std'] as number) * (r + 1) + Math.abs(attrs['mean'] as number);
  }
  return { shape: [...shape], dtype: out, values, mag, terms: new Float64Array(size).fill(1) };
};
