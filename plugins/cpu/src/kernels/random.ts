import { philoxBlock, uniformOf, type KernelSpec } from '@hearth/core';
import { arr } from './util.js';

/** random_uniform and random_normal: Philox4x32-10 blocks, four elements each, values in float64 then stored. */
export const RANDOM_KERNELS: readonly KernelSpec[] = [
  {
    op: 'random_uniform',
    device: 'cpu',
    dtypes: ['float32', 'float64'],
    run(_inputs, out, attrs) {
      const o = arr(out);
      const low = attrs['low'] as number;
      const span = (attrs['high'] as number) - low;
      const words = new Uint32Array(4);
      for (let i = 0; i < o.length; i++) {
        if (i % 4 === 0) philoxBlock(attrs['seed'] as number, i / 4, words);
        o[i] = low + span * uniformOf(words[i % 4]!);
      }
    },
  },
  {
    op: 'random_normal',
    device: 'cpu',
    dtypes: ['float32', 'float64'],
    run(_inputs, out, attrs) {
      const o = arr(out);
      const mean = attrs['mean'] as number;
      const std = attrs['std'] as number;
      const words = new Uint32Array(4);
      for (let i = 0; i < o.length; i += 2) {
        if (i % 4 === 0) philoxBlock(attrs['seed'] as number, i / 4, words);
        const u1 = ((words[i % 4]! >>> 8) + 1) * 2 ** -24;
        const u2 = uniformOf(words[(i % 4) + 1]!);
        const r = Math.sqrt(-2 * Math.log(u1));
        o[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
        if (i + 1 < o.length) o[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
      }
    },
  },
];
