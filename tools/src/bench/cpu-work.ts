// The work of `npm run bench -- cpu`: each row's inputs, its float64 reference, and how a run is counted.

/** One benchmark row. */
export interface Work {
  /** The row's name. */
  readonly name: string;
  /** The operator. */
  readonly op: 'add' | 'matmul' | 'sum' | 'softmax' | 'conv2d';
  /** What is reported: time per op (us or ms), or a rate (GFLOP/s, GB/s) from `amount` per op. */
  readonly unit: 'us' | 'ms' | 'GFLOP/s' | 'GB/s';
  /** FLOPs or bytes per op, for rates. */
  readonly amount: number;
  /** Input shapes in NCHW / row-major, and their data. */
  readonly shapes: readonly (readonly number[])[];
  readonly inputs: readonly Float32Array[];
  /** The output computed in float64 from the float32 inputs. */
  readonly reference: () => Float64Array;
  /** Allowed error: max |observed - reference| / max |reference|. */
  readonly tolerance: number;
}

function data(n: number, seed: number, positive = false): Float32Array {
  const out = new Float32Array(n);
  let s = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) | 0;
    const u = (s >>> 0) / 2 ** 32;
    out[i] = positive ? u : 2 * u - 1;
  }
  return out;
}

function matmulRef(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j]! += av * b[p * n + j]!;
    }
  return c;
}

function conv2dRef(x: Float32Array, w: Float32Array, C: number, H: number, W: number, O: number): Float64Array {
  const out = new Float64Array(O * H * W);
  for (let o = 0; o < O; o++)
    for (let c = 0; c < C; c++)
      for (let ky = 0; ky < 3; ky++)
        for (let kx = 0; kx < 3; kx++) {
          const wv = w[((o * C + c) * 3 + ky) * 3 + kx]!;
          for (let y = 0; y < H; y++) {
            const iy = y + ky - 1;
            if (iy < 0 || iy >= H) continue;
            for (let z = 0; z < W; z++) {
              const iz = z + kx - 1;
              if (iz >= 0 && iz < W) out[(o * H + y) * W + z]! += wv * x[(c * H + iy) * W + iz]!;
            }
          }
        }
  return out;
}

/** The rows of the table, in order. */
export function cpuWork(): Work[] {
  const one = [data(1, 1), data(1, 2)];
  const mm = [data(1024 * 1024, 3), data(1024 * 1024, 4)];
  const add = [data(1e6, 5), data(1e6, 6)];
  const sum = [data(1e6, 7, true)];
  const sm = [data(1024 * 1024, 8)];
  const conv = [data(64 * 56 * 56, 9), data(64 * 64 * 9, 10)];
  return [
    { name: '1-element add', op: 'add', unit: 'us', amount: 0, shapes: [[1], [1]], inputs: one, reference: () => Float64Array.of(one[0]![0]! + one[1]![0]!), tolerance: 1e-7 },
    { name: 'matmul 1024 f32', op: 'matmul', unit: 'GFLOP/s', amount: 2 * 1024 ** 3, shapes: [[1024, 1024], [1024, 1024]], inputs: mm, reference: () => matmulRef(mm[0]!, mm[1]!, 1024, 1024, 1024), tolerance: 1e-5 },
    { name: 'add 1e6', op: 'add', unit: 'GB/s', amount: 12e6, shapes: [[1e6], [1e6]], inputs: add, reference: () => Float64Array.from(add[0]!, (v, i) => v + add[1]![i]!), tolerance: 1e-7 },
    { name: 'sum 1e6', op: 'sum', unit: 'GB/s', amount: 4e6, shapes: [[1e6]], inputs: sum, reference: () => Float64Array.of(sum[0]!.reduce((s, v) => s + v, 0)), tolerance: 1e-6 },
    {
      name: 'softmax 1024x1024',
      op: 'softmax',
      unit: 'ms',
      amount: 0,
      shapes: [[1024, 1024]],
      inputs: sm,
      reference: () => {
        const x = sm[0]!;
        const out = new Float64Array(x.length);
        for (let r = 0; r < 1024; r++) {
          let max = -Infinity;
          for (let j = 0; j < 1024; j++) max = Math.max(max, x[r * 1024 + j]!);
          let s = 0;
          for (let j = 0; j < 1024; j++) s += out[r * 1024 + j] = Math.exp(x[r * 1024 + j]! - max);
          for (let j = 0; j < 1024; j++) out[r * 1024 + j]! /= s;
        }
        return out;
      },
      tolerance: 1e-5,
    },
    { name: 'conv2d 1x64x56x56, 64 3x3, pad 1', op: 'conv2d', unit: 'ms', amount: 0, shapes: [[1, 64, 56, 56], [64, 64, 3, 3]], inputs: conv, reference: () => conv2dRef(conv[0]!, conv[1]!, 64, 56, 56, 64), tolerance: 1e-5 },
  ];
}
