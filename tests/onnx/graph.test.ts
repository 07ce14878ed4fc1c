/**
 * How a model runs: memory planned from the graph (intermediates freed after their last reader, constants
 * uploaded once), and shape subgraphs folded at load when static, evaluated per run when symbolic; shapes,
 * axes and other values a node needs before it runs may also be graph inputs, read per run.
 */
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, type Hearth, type HearthError } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { loadOnnx } from '@hearth/onnx';
import { fixture } from './reference.js';

const { onnx } = onnxProto;

let h: Hearth;
beforeAll(async () => {
  h = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] });
  await h.ready();
});
afterAll(async () => {
  await h?.dispose();
});

describe('memory', () => {
  it('frees each intermediate after its last reader; constants stay for the model, then go with it', async () => {
    const m = await loadOnnx(fixture('resnet.onnx'), { hearth: h, optimize: false });
    const image = h.ones([4, 3, 16, 16]);
    const stem = 4 * 8 * 16 * 16 * 4; // bytes of one stem activation, the largest tensors of the model
    for (let run = 0; run < 2; run++) {
      const { probs } = await m.run({ image });
      // The stem's Conv, BatchNormalization and Relu each make a stem-sized tensor: kept all, the peak
      // would be at least three of them; freed after their last reader, at most two are alive at once.
      expect(m.lastRun!.peakBytes).toBeGreaterThanOrEqual(stem);
      expect(m.lastRun!.peakBytes).toBeLessThan(2 * stem + stem / 2);
      // Alive now: the input, the output, and the constants (uploaded at first use, not again): 3 x (conv
      // weight, bias, 4 BatchNormalization parameters) + the Gemm's weight and bias. The Reshape's shape
      // constants stay on the host.
      expect(h.leaks().length - 2).toBe(20);
      probs!.dispose();
    }
    image.dispose();
    m.dispose();
    expect(h.leaks()).toEqual([]);
  });
});

describe('shape subgraphs', () => {
  /** Reshape(x, Concat(Gather(Shape(x), [0]), [-1])) for an input x of the given dims. */
  function flattenByShape(dims: (number | string)[]): Uint8Array {
    const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
    const info = (name: string, ds?: (number | string)[]) => ({ name, type: { tensorType: { elemType: 1, ...(ds ? { shape: { dim: ds.map(dim) } } : {}) } } });
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [
          { name: 'shape', opType: 'Shape', input: ['x'], output: ['s'] },
          { name: 'first', opType: 'Gather', input: ['s', 'zero'], output: ['n'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
          { name: 'target', opType: 'Concat', input: ['n', 'rest'], output: ['t'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
          { name: 'reshape', opType: 'Reshape', input: ['x', 't'], output: ['y'] },
        ],
        input: [info('x', dims)],
        initializer: [{ name: 'zero', dataType: 7, dims: [1], int64Data: [0] }, { name: 'rest', dataType: 7, dims: [1], int64Data: [-1] }],
        output: [info('y')],
      },
    }).finish();
  }

  it('are folded at load when the input shape is static, and evaluated per run when it is symbolic', async () => {
    const fixed = await loadOnnx(flattenByShape([2, 3, 4]), { hearth: h });
    expect(fixed.optimizations.constantsFolded).toBe(3);
    expect(fixed.nodes.map((n) => n.opType)).toEqual(['Reshape']);
    const symbolic = await loadOnnx(flattenByShape(['n', 3, 4]), { hearth: h });
    expect(symbolic.optimizations.constantsFolded).toBe(0);
    for (const [m, n] of [[fixed, 2], [symbolic, 2], [symbolic, 5]] as const) {
      const x = h.tensor(Float32Array.from({ length: n * 12 }, (_, i) => i), { shape: [n, 3, 4] });
      const { y } = await m.run({ x });
      expect(y!.shape).toEqual([n, 12]);
      expect(Array.from(await y!.data())).toEqual(Array.from({ length: n * 12 }, (_, i) => i));
      y!.dispose();
      x.dispose();
    }
    fixed.dispose();
    symbolic.dispose();
    expect(h.leaks()).toEqual([]);
  });
});

describe('values a node needs before it runs, given as graph inputs', () => {
  const info = (name: string, elemType: number, dims?: number[]) => ({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });

  it("are read from each run's feeds: a Reshape's shape through a Concat, a Slice's starts and ends", async () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [
          { name: 'target', opType: 'Concat', input: ['rows', 'minus1'], output: ['t'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
          { name: 'reshape', opType: 'Reshape', input: ['x', 't'], output: ['r'] },
          { name: 'slice', opType: 'Slice', input: ['r', 'starts', 'ends'], output: ['y'] },
        ],
        input: [info('x', 1, [12]), info('rows', 7, [1]), info('starts', 7, [1]), info('ends', 7, [1])],
        initializer: [{ name: 'minus1', dataType: 7, dims: [1], int64Data: [-1] }],
        output: [info('y', 1)],
      },
    }).finish();
    const m = await loadOnnx(bytes, { hearth: h });
    const x = h.tensor(Float32Array.from({ length: 12 }, (_, i) => i), { shape: [12] });
    for (const [rows, start, end, want] of [
      [3, 1, 3, [[4, 5, 6, 7], [8, 9, 10, 11]]],
      [6, 4, 5, [[8, 9]]],
    ] as const) {
      const ints = (v: number) => h.tensor([v], { dtype: 'int32', shape: [1] });
      const feeds = { x, rows: ints(rows), starts: ints(start), ends: ints(end) };
      const { y } = await m.run(feeds);
      expect(y!.shape).toEqual([want.length, want[0]!.length]);
      expect(Array.from(await y!.data())).toEqual(want.flat());
      for (const t of [y!, feeds.rows, feeds.starts, feeds.ends]) t.dispose();
    }
    x.dispose();
    m.dispose();
    expect(h.leaks()).toEqual([]);
  });

  it('on a device too: the feeds are read back before the node runs', async () => {
    const w = createHearth({ plugins: [wasmPlugin, cpuPlugin], backends: ['wasm'] });
    await w.ready();
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 18 }],
      graph: {
        name: 'g',
        node: [{ name: 'sum', opType: 'ReduceSum', input: ['x', 'axes'], output: ['y'], attribute: [{ name: 'keepdims', type: 2, i: 0 }] }],
        input: [info('x', 1, [2, 3]), info('axes', 7, [1])],
        output: [info('y', 1)],
      },
    }).finish();
    const m = await loadOnnx(bytes, { hearth: w });
    const x = w.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
    for (const [axis, want] of [[0, [5, 7, 9]], [1, [6, 15]]] as const) {
      const axes = w.tensor([axis], { dtype: 'int32', shape: [1] });
      const { y } = await m.run({ x, axes });
      expect([y!.device, Array.from(await y!.data())]).toEqual(['wasm:0', want]);
      y!.dispose();
      axes.dispose();
    }
    x.dispose();
    m.dispose();
    expect(w.leaks()).toEqual([]);
    await w.dispose();
  });
});

describe('a layer norm written out in ops', () => {
  /**
   * (x - mean(x)) / sqrt(mean(d²) + 1e-5) over `axes`, as opset 18 writes it (ReduceMean's axes as an input),
   * the square as Pow(d, 2) or Mul(d, d); `alsoD` makes d a graph output too.
   */
  function writtenOut(axes: number[], square: 'Pow' | 'Mul', alsoD = false): Uint8Array {
    const info = (name: string) => ({ name, type: { tensorType: { elemType: 1 } } });
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 18 }],
      graph: {
        name: 'g',
        node: [
          { name: 'mean', opType: 'ReduceMean', input: ['x', 'axes'], output: ['m'] },
          { name: 'sub', opType: 'Sub', input: ['x', 'm'], output: ['d'] },
          square === 'Pow' ? { name: 'sq', opType: 'Pow', input: ['d', 'two'], output: ['d2'] } : { name: 'sq', opType: 'Mul', input: ['d', 'd'], output: ['d2'] },
          { name: 'var', opType: 'ReduceMean', input: ['d2', 'axes'], output: ['v'] },
          { name: 'eps', opType: 'Add', input: ['v', 'eps'], output: ['ve'] },
          { name: 'sqrt', opType: 'Sqrt', input: ['ve'], output: ['s'] },
          { name: 'div', opType: 'Div', input: ['d', 's'], output: ['y'] },
        ],
        input: [info('x')],
        initializer: [
          { name: 'axes', dataType: 7, dims: [axes.length], int64Data: axes },
          { name: 'two', dataType: 1, dims: [], floatData: [2] },
          { name: 'eps', dataType: 1, dims: [], floatData: [1e-5] },
        ],
        output: [info('y'), ...(alsoD ? [info('d')] : [])],
      },
    }).finish();
  }

  it('becomes one layer_norm over the trailing axes (opset 18 axes input, Pow or Mul), with the same results', async () => {
    const x = h.tensor(Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => Math.sin(i) * 3 + 1000), { shape: [2, 3, 5] });
    for (const [axes, square] of [[[-1], 'Pow'], [[-1, -2], 'Mul']] as const) {
      const fused = await loadOnnx(writtenOut([...axes], square), { hearth: h });
      const plain = await loadOnnx(writtenOut([...axes], square), { hearth: h, optimize: { fuse: false } });
      expect(fused.nodes.map((n) => n.opType)).toEqual(['LayerNorm']);
      expect(plain.nodes.map((n) => n.opType)).toContain('ReduceMean');
      const [a, b] = [(await fused.run({ x }))['y']!, (await plain.run({ x }))['y']!];
      const [got, want] = [await a.data(), await b.data()];
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-3);
      for (const t of [a, b]) t.dispose();
      for (const m of [fused, plain]) m.dispose();
    }
    x.dispose();
  });

  it('is left alone where an intermediate is a graph output, or the axes are not the trailing ones', async () => {
    const kept = await loadOnnx(writtenOut([-1], 'Pow', true), { hearth: h });
    expect(kept.nodes.map((n) => n.opType)).toContain('ReduceMean');
    const leading = await loadOnnx(writtenOut([-2], 'Pow'), { hearth: h });
    expect(leading.nodes.map((n) => n.opType)).not.toContain('LayerNorm');
    for (const m of [kept, leading]) m.dispose();
  });
});

describe('a hard swish written out in ops', () => {
  /**
   * x * Clip(x + 3, 0, 6) / 6 as exporters write it: Clip's bounds as attributes (opset 9) or inputs (opset
   * 13), the division after the product or before it (as a Mul by 1/6); `bound` changes Clip's upper bound.
   */
  function writtenOut(opset: 9 | 13, order: 'product first' | 'sixth first', bound = 6): Uint8Array {
    const info = (name: string) => ({ name, type: { tensorType: { elemType: 1 } } });
    const f = (name: string, v: number) => ({ name, dataType: 1, dims: [], floatData: [v] });
    const clip = opset === 9
      ? { name: 'clip', opType: 'Clip', input: ['a'], output: ['c'], attribute: [{ name: 'min', type: 1, f: 0 }, { name: 'max', type: 1, f: bound }] }
      : { name: 'clip', opType: 'Clip', input: ['a', 'zero', 'bound'], output: ['c'] };
    const tail = order === 'product first'
      ? [{ name: 'mul', opType: 'Mul', input: ['x', 'c'], output: ['m'] }, { name: 'div', opType: 'Div', input: ['m', 'six'], output: ['y'] }]
      : [{ name: 'sixth', opType: 'Mul', input: ['c', 'sixth'], output: ['s'] }, { name: 'mul', opType: 'Mul', input: ['s', 'x'], output: ['y'] }];
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: opset }],
      graph: {
        name: 'g',
        node: [{ name: 'add', opType: 'Add', input: ['three', 'x'], output: ['a'] }, clip, ...tail],
        input: [info('x')],
        initializer: [f('three', 3), f('six', 6), f('sixth', 1 / 6), f('zero', 0), f('bound', bound)],
        output: [info('y')],
      },
    }).finish();
  }

  it('becomes one hard_swish (Clip bounds as attributes or inputs, the division before or after), with the same results', async () => {
    const x = h.tensor(Float32Array.from({ length: 40 }, (_, i) => (i - 20) * 0.4), { shape: [4, 10] });
    for (const [opset, order] of [[9, 'product first'], [13, 'sixth first'], [13, 'product first']] as const) {
      const fused = await loadOnnx(writtenOut(opset, order), { hearth: h });
      const plain = await loadOnnx(writtenOut(opset, order), { hearth: h, optimize: { fuse: false } });
      expect(fused.nodes.map((n) => [n.opType, n.kind])).toEqual([['HardSwish', 'fused']]);
      expect(plain.nodes.map((n) => n.opType)).toContain('Clip');
      const [a, b] = [(await fused.run({ x }))['y']!, (await plain.run({ x }))['y']!];
      const [got, want] = [await a.data(), await b.data()];
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
      for (const t of [a, b]) t.dispose();
      for (const m of [fused, plain]) m.dispose();
    }
    x.dispose();
  });

  it('is left alone where the bounds are not 0 and 6', async () => {
    const m = await loadOnnx(writtenOut(13, 'product first', 5), { hearth: h });
    expect(m.nodes.map((n) => n.opType)).toEqual(['Add', 'Clip', 'Mul', 'Div']);
    m.dispose();
  });
});

describe('If', () => {
  /**
   * y = cond ? x + w : (inner ? Relu(x) * 2 : -x), with w an initializer of the main graph and the inner If's
   * condition a shape computation of the else branch (x has 3 columns): branches read outer values by name.
   */
  function ifModel(): Uint8Array {
    const info = (name: string, elemType = 1, dims?: number[]) => ({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });
    const graph = (name: string, node: onnxProto.onnx.INodeProto[], out: string, initializer: onnxProto.onnx.ITensorProto[] = []) => ({ name, node, initializer, output: [info(out)] });
    const inner = {
      name: 'inner', opType: 'If', input: ['three'], output: ['e.y'],
      attribute: [
        { name: 'then_branch', type: 5, g: graph('relu2', [{ opType: 'Relu', input: ['x'], output: ['r'] }, { opType: 'Mul', input: ['r', 'two'], output: ['r2'] }], 'r2', [{ name: 'two', dataType: 1, dims: [], floatData: [2] }]) },
        { name: 'else_branch', type: 5, g: graph('neg', [{ opType: 'Neg', input: ['x'], output: ['n'] }], 'n') },
      ],
    };
    const elseNodes = [
      { opType: 'Shape', input: ['x'], output: ['s'] },
      { opType: 'Constant', output: ['one'], attribute: [{ name: 'value_ints', type: 7, ints: [1] }] },
      { opType: 'Gather', input: ['s', 'one'], output: ['cols'] },
      { opType: 'Constant', output: ['three.c'], attribute: [{ name: 'value_ints', type: 7, ints: [3] }] },
      { opType: 'Equal', input: ['cols', 'three.c'], output: ['three.v'] },
      { opType: 'Squeeze', input: ['three.v'], output: ['three'] },
      inner,
    ];
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ name: 'switch', opType: 'If', input: ['cond'], output: ['y'], attribute: [
          { name: 'then_branch', type: 5, g: graph('add', [{ opType: 'Add', input: ['x', 'w'], output: ['a'] }], 'a') },
          { name: 'else_branch', type: 5, g: graph('else', elseNodes, 'e.y') },
        ] }],
        input: [info('x', 1, [2, 3]), info('cond', 9, [])],
        initializer: [{ name: 'w', dataType: 1, dims: [3], floatData: [10, 20, 30] }],
        output: [info('y')],
      },
    }).finish();
  }

  it('runs the branch its condition picks, reading outer values, nested, on every run', async () => {
    const m = await loadOnnx(ifModel(), { hearth: h });
    const xs = [-1, 2, -3, 4, -5, 6];
    const x = h.tensor(Float32Array.from(xs), { shape: [2, 3] });
    for (const [cond, want] of [[1, xs.map((v, i) => v + [10, 20, 30][i % 3]!)], [0, xs.map((v) => Math.max(v, 0) * 2)], [1, xs.map((v, i) => v + [10, 20, 30][i % 3]!)]] as const) {
      const c = h.tensor(Uint8Array.from([cond]), { dtype: 'bool', shape: [] });
      const { y } = await m.run({ x, cond: c });
      expect([...y!.shape]).toEqual([2, 3]);
      expect(Array.from(await y!.data())).toEqual(want);
      for (const t of [y!, c]) t.dispose();
    }
    x.dispose();
    m.dispose();
    expect(h.leaks()).toEqual([]);
  });
});

describe('Loop', () => {
  /**
   * v = v0; three times (M = 3): v = v + x, scan out v * 2; the condition from the body: `deviceCond` makes it
   * ReduceSum(v) < 100, computed on the device, else the incoming condition passed through.
   */
  function loopModel(deviceCond = false): Uint8Array {
    const info = (name: string, elemType = 1, dims?: number[]) => ({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });
    const cond = deviceCond
      ? [{ opType: 'ReduceSum', input: ['v.out'], output: ['sum'], attribute: [{ name: 'keepdims', type: 2, i: 0 }] }, { opType: 'Less', input: ['sum', 'hundred'], output: ['c.out'] }]
      : [{ opType: 'Identity', input: ['c.in'], output: ['c.out'] }];
    const body = {
      name: 'body',
      node: [{ opType: 'Add', input: ['v.in', 'x'], output: ['v.out'] }, { opType: 'Mul', input: ['v.out', 'two'], output: ['scan'] }, ...cond],
      input: [info('i', 7, []), info('c.in', 9, []), info('v.in')],
      output: [info('c.out', 9), info('v.out'), info('scan')],
    };
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ name: 'loop', opType: 'Loop', input: ['M', 'go', 'v0'], output: ['v', 'scans'], attribute: [{ name: 'body', type: 5, g: body }] }],
        input: [info('x', 1, [2]), info('v0', 1, [2])],
        initializer: [
          { name: 'M', dataType: 7, dims: [], int64Data: [3] },
          { name: 'go', dataType: 9, dims: [], int32Data: [1] },
          { name: 'two', dataType: 1, dims: [], floatData: [2] },
          { name: 'hundred', dataType: 1, dims: [], floatData: [100] },
        ],
        output: [info('v'), info('scans')],
      },
    }).finish();
  }

  it('runs its body M times, carrying values and stacking scan outputs, reading outer values', async () => {
    const m = await loadOnnx(loopModel(), { hearth: h });
    const [x, v0] = [h.tensor(Float32Array.from([1, -2]), { shape: [2] }), h.tensor(Float32Array.from([10, 20]), { shape: [2] })];
    const { v, scans } = await m.run({ x, v0 });
    expect(Array.from(await v!.data())).toEqual([13, 14]);
    expect([...scans!.shape]).toEqual([3, 2]);
    expect(Array.from(await scans!.data())).toEqual([22, 36, 24, 32, 26, 28]);
    for (const t of [v!, scans!, x, v0]) t.dispose();
    m.dispose();
    expect(h.leaks()).toEqual([]);
  });

  it('refuses a condition its body computes on the device, naming the node', async () => {
    const m = await loadOnnx(loopModel(true), { hearth: h });
    const [x, v0] = [h.tensor(Float32Array.from([1, -2]), { shape: [2] }), h.tensor(Float32Array.from([10, 20]), { shape: [2] })];
    const e = await m.run({ x, v0 }).then(() => undefined, (err: unknown) => err as HearthError);
    expect(e?.code).toBe('E_UNSUPPORTED');
    expect(e?.message).toMatch(/node "loop" \(Loop.*condition on the device/);
    for (const t of [x, v0]) t.dispose();
    m.dispose();
    expect(h.leaks()).toEqual([]);
  });
});

describe('Scan', () => {
  /** s = 0; for each row x_t of x (backwards with `reverse`): s = s + x_t, scan out s * 2; outputs along `axis`. */
  function scanModel(reverse: boolean, axis: number): Uint8Array {
    const info = (name: string, dims?: number[]) => ({ name, type: { tensorType: { elemType: 1, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });
    const body = {
      name: 'body',
      node: [{ opType: 'Add', input: ['s.in', 'row'], output: ['s.out'] }, { opType: 'Mul', input: ['s.out', 'two'], output: ['out'] }],
      input: [info('s.in'), info('row')],
      output: [info('s.out'), info('out')],
    };
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 16 }],
      graph: {
        name: 'g',
        node: [{ name: 'scan', opType: 'Scan', input: ['s0', 'x'], output: ['s', 'ys'], attribute: [
          { name: 'body', type: 5, g: body },
          { name: 'num_scan_inputs', type: 2, i: 1 },
          { name: 'scan_input_directions', type: 7, ints: [reverse ? 1 : 0] },
          { name: 'scan_output_axes', type: 7, ints: [axis] },
        ] }],
        input: [info('s0', [2]), info('x', [3, 2])],
        initializer: [{ name: 'two', dataType: 1, dims: [], floatData: [2] }],
        output: [info('s'), info('ys')],
      },
    }).finish();
  }

  it('runs its body once per slice, carrying state, scanning backwards, stacking outputs along an axis', async () => {
    const [s0, x] = [h.tensor(Float32Array.from([0, 100]), { shape: [2] }), h.tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), { shape: [3, 2] })];
    // Forward, outputs stacked on axis 0: s runs (1, 102), (4, 106), (9, 112).
    // Backward, outputs stacked on axis 1: s runs (5, 106), (8, 110), (9, 112), so ys is [[10, 16, 18], [212, 220, 224]].
    for (const [reverse, axis, shape, want] of [[false, 0, [3, 2], [2, 204, 8, 212, 18, 224]], [true, 1, [2, 3], [10, 16, 18, 212, 220, 224]]] as const) {
      const m = await loadOnnx(scanModel(reverse, axis), { hearth: h });
      const { s, ys } = await m.run({ s0, x });
      expect(Array.from(await s!.data())).toEqual([9, 112]);
      expect([...ys!.shape]).toEqual(shape);
      expect(Array.from(await ys!.data())).toEqual(want);
      for (const t of [s!, ys!]) t.dispose();
      m.dispose();
    }
    for (const t of [s0, x]) t.dispose();
    expect(h.leaks()).toEqual([]);
  });
});
