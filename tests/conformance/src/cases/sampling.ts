import type { Draft, OpSpec } from './spec.js';

const CTMS = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const;
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;

/** Specs of resize and conv_transpose2d. */
export const SAMPLING_SPECS: Record<string, OpSpec> = {
  resize: {
    cases(c) {
      const img = c.rand('img', [1, 2, 4, 5]);
      const out: Draft[] = [c.sample('nearest-up', [img], { sizes: [8, 10] }), c.sample('linear-up', [img], { sizes: [7, 9], mode: 'linear' })];
      for (const ctm of CTMS) {
        out.push(c.ref(`linear-${ctm}-down`, [img], { sizes: [3, 2], mode: 'linear', coordinateTransformationMode: ctm }));
        out.push(c.ref(`linear-${ctm}-up`, [img], { sizes: [6, 11], mode: 'linear', coordinateTransformationMode: ctm }));
        out.push(c.ref(`linear-${ctm}-to-one`, [img], { sizes: [1, 1], mode: 'linear', coordinateTransformationMode: ctm }));
        for (const nm of NEAREST) {
          out.push(c.ref(`nearest-${ctm}-${nm}`, [img], { sizes: [9, 3], coordinateTransformationMode: ctm, nearestMode: nm }));
        }
      }
      out.push(
        // Exact halves: 2x downsampling puts every half_pixel source on .5, where the nearest modes differ.
        ...NEAREST.map((nm) => c.ref(`nearest-halves-${nm}`, [c.rand('h', [1, 1, 4, 4])], { sizes: [2, 2], nearestMode: nm })),
        c.ref('scales-given', [img], { sizes: [8, 10], scales: [2.5, 1.5], mode: 'linear' }),
        c.ref('scales-given-nearest', [img], { sizes: [6, 6], scales: [1.7, 1.2], coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' }),
        c.ref('rank2', [c.rand('r2', [3, 3])], { sizes: [5, 4], mode: 'linear' }),
        c.ref('rank5', [c.rand('r5', [2, 1, 2, 3, 3])], { sizes: [2, 6] }),
        c.ref('nan-input', [c.t([1, 1, 2, 2], [1, NaN, 3, 4])], { sizes: [4, 4], mode: 'linear' }),
        c.ref('empty-batch', [c.t([0, 1, 2, 2], [])], { sizes: [3, 3] }),
        c.ref('to-empty', [img], { sizes: [0, 4] }),
        c.ref('identity', [img], { sizes: [4, 5], mode: 'linear' }),
      );
      return out;
    },
    errors: (c) => [
      c.err('rank1', [c.rand('e', [4])], { sizes: [2, 2] }, 'E_SHAPE'),
      c.err('sizes-length', [c.rand('e', [1, 1, 2, 2])], { sizes: [2] }, 'E_ATTR'),
      c.err('scale-zero', [c.rand('e', [1, 1, 2, 2])], { sizes: [2, 2], scales: [0, 1] }, 'E_ATTR'),
      c.err('empty-to-nonempty', [c.t([1, 1, 0, 2], [])], { sizes: [2, 2] }, 'E_SHAPE'),
    ],
  },
  conv_transpose2d: {
    cases(c) {
      const x = (name: string, shape: number[]) => c.rand(name, shape, -2, 2);
      return [
        c.sample('basic', [x('x', [1, 2, 3, 3]), x('w', [2, 3, 2, 2])]),
        c.sample('stride2-bias', [x('x', [1, 2, 3, 4]), x('w', [2, 2, 3, 3]), x('b', [2])], { stride: 2 }),
        c.ref('padding', [x('xp', [2, 1, 4, 4]), x('wp', [1, 2, 3, 3])], { stride: 2, padding: 1 }),
        c.ref('output-padding', [x('xo', [1, 1, 3, 3]), x('wo', [1, 1, 3, 3])], { stride: [2, 3], padding: 1, outputPadding: [1, 2] }),
        c.ref('dilation', [x('xd', [1, 2, 3, 3]), x('wd', [2, 1, 2, 3])], { dilation: [2, 1], outputPadding: [1, 0] }),
        c.ref('groups', [x('xg', [1, 4, 3, 3]), x('wg', [4, 3, 2, 2]), x('bg', [6])], { groups: 2, stride: 2 }),
        c.ref('depthwise', [x('xdw', [1, 3, 4, 4]), x('wdw', [3, 1, 3, 3])], { groups: 3, padding: 1 }),
        c.ref('rect-kernel', [x('xr', [1, 1, 2, 5]), x('wr', [1, 2, 1, 4])], { stride: [1, 2], padding: [0, 1] }),
        c.ref('empty-batch', [c.t([0, 1, 2, 2], []), x('we', [1, 1, 2, 2])]),
        c.ref('specials', [c.t([1, 1, 2, 2], [NaN, 1, Infinity, -0]), x('ws', [1, 1, 2, 2])]),
      ];
    },
    errors: (c) => [
      c.err('output-padding-too-large', [c.rand('e', [1, 1, 2, 2]), c.rand('w', [1, 1, 2, 2])], { stride: 2, outputPadding: 2 }, 'E_ATTR'),
      c.err('groups-indivisible', [c.rand('e', [1, 3, 2, 2]), c.rand('w', [3, 1, 2, 2])], { groups: 2 }, 'E_ATTR'),
      c.err('channel-mismatch', [c.rand('e', [1, 2, 2, 2]), c.rand('w', [3, 1, 2, 2])], undefined, 'E_SHAPE'),
      c.err('rank3', [c.rand('e', [2, 2, 2]), c.rand('w', [2, 1, 2, 2])], undefined, 'E_SHAPE'),
      c.err('bias-shape', [c.rand('e', [1, 1, 2, 2]), c.rand('w', [1, 2, 2, 2]), c.rand('b', [3])], undefined, 'E_SHAPE'),
      c.err('padding-too-large', [c.rand('e', [1, 1, 1, 1]), c.rand('w', [1, 1, 1, 1])], { padding: 1 }, 'E_SHAPE'),
    ],
  },
};
