/**
 * What a user gets from a model Hearth cannot run, or from wrong inputs: one coded HearthError, before any
 * work and with nothing left allocated.
 */
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, HearthError, type Hearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { checkOnnx, loadOnnx } from '@hearth/onnx';
import { fixture, fixtureBytes } from './reference.js';

const { onnx } = onnxProto;

/** A one-node model written with ONNX's protobuf classes. */
function model(opset: number, node: onnxProto.onnx.INodeProto, extra: Partial<onnxProto.onnx.IGraphProto> = {}): Uint8Array {
  const info = (name: string, dims: number[], elemType = 1) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'g', node: [node], input: [info('x', [2, 3])], output: [info('y', [2, 3])], ...extra },
  }).finish();
}

let h: Hearth;
beforeAll(async () => {
  h = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] });
  await h.ready();
});
afterAll(async () => {
  await h?.dispose();
});

/** The HearthError `fn` rejects with. */
async function error(fn: () => Promise<unknown>): Promise<HearthError> {
  const e = await fn().then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(HearthError);
  return e as HearthError;
}

describe('malformed files', () => {
  const bytes = fixtureBytes('resnet.onnx');
  it.each([
    ['empty', new Uint8Array(0)],
    ['truncated to half', bytes.slice(0, bytes.length >> 1)],
    ['truncated by one byte', bytes.slice(0, bytes.length - 1)],
    ['not protobuf', new TextEncoder().encode('this is not an onnx model at all, just text')],
  ])('%s: E_MODEL', async (_what, data) => {
    const e = await error(() => loadOnnx(data, { hearth: h }));
    expect(e.code).toBe('E_MODEL');
    expect(h.leaks()).toEqual([]);
  });

  it('a missing file: E_ARG naming the path', async () => {
    const e = await error(() => loadOnnx('/no/such/model.onnx', { hearth: h }));
    expect([e.code, e.message]).toEqual(['E_ARG', expect.stringContaining('/no/such/model.onnx')]);
  });

  it('an initializer whose data does not fit its shape: E_MODEL naming it', async () => {
    const bad = model(13, { opType: 'Add', input: ['x', 'w'], output: ['y'] }, { initializer: [{ name: 'w', dims: [2, 3], dataType: 1, floatData: [1, 2] }] });
    const e = await error(() => loadOnnx(bad, { hearth: h }));
    expect([e.code, e.message]).toEqual(['E_MODEL', expect.stringContaining('"w"')]);
  });

  it('a value made twice: E_MODEL naming both makers', async () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ name: 'a', opType: 'Relu', input: ['x'], output: ['y'] }, { name: 'b', opType: 'Neg', input: ['x'], output: ['y'] }],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
      },
    }).finish();
    const e = await error(() => loadOnnx(bytes, { hearth: h }));
    expect([e.code, e.message]).toEqual(['E_MODEL', expect.stringMatching(/"y" is made twice, by node "a" \(Relu\) and by node "b" \(Neg\)/)]);
  });

  it('a node reading a value nothing makes: E_MODEL naming the node', async () => {
    const e = await error(() => loadOnnx(model(13, { name: 'lost', opType: 'Relu', input: ['nowhere'], output: ['y'] }), { hearth: h }));
    expect([e.code, e.message]).toEqual(['E_MODEL', expect.stringMatching(/Node "lost".*"nowhere"/)]);
  });
});

describe('what Hearth cannot run is refused before anything runs', () => {
  it('lists every unsupported node with its op, opset and what is missing', async () => {
    const e = await error(() => loadOnnx(fixture('unsupported.onnx'), { hearth: h }));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.message).toContain('node "maxpool" (MaxPool, opset 13): unsupported dilations other than 1');
    expect(e.message).toContain('node "det" (Det, opset 13): unsupported the op');
    expect(e.details['unsupported']).toHaveLength(2);
    expect(await checkOnnx(fixture('unsupported.onnx'))).toEqual([
      { node: 'maxpool', opType: 'MaxPool', opset: 13, missing: 'dilations other than 1', reason: 'variant' },
      { node: 'det', opType: 'Det', opset: 13, missing: 'the op (no mapping)', reason: 'op' },
    ]);
    expect(h.leaks()).toEqual([]);
  });

  it.each([
    ['an unknown attribute', { name: 'n', opType: 'Relu', input: ['x'], output: ['y'], attribute: [{ name: 'flavour', type: 2, i: 1 }] }, 13, /node "n" \(Relu, opset 13\): unsupported attribute "flavour"/],
    ['an op from a later opset', { name: 'n', opType: 'LayerNormalization', input: ['x', 'x'], output: ['y'] }, 13, /LayerNormalization, opset 13\): unsupported the op \(it exists from opset 17\)/],
    ['another domain', { name: 'n', opType: 'FusedGemm', domain: 'com.microsoft', input: ['x'], output: ['y'] }, 13, /com\.microsoft\.FusedGemm/],
    ['a pad mode Hearth lacks', { name: 'n', opType: 'Pad', input: ['x'], output: ['y'], attribute: [{ name: 'mode', type: 3, s: new TextEncoder().encode('wrap') }, { name: 'pads', type: 7, ints: [0, 0, 0, 0] }] }, 9, /mode "wrap"/],
  ] as const)('%s', async (_what, node, opset, message) => {
    const e = await error(() => loadOnnx(model(opset, node), { hearth: h }));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.message).toMatch(message);
  });

  it("control flow Hearth lacks (opset 8's batched Scan), or an op it lacks inside an If branch: listed with the node, before anything runs", async () => {
    const branch = (name: string, op: string) => ({ name, node: [{ name: `${name}.op`, opType: op, input: ['x'], output: [`${name}.y`] }], output: [{ name: `${name}.y`, type: { tensorType: { elemType: 1 } } }] });
    const scan = { name: 'scan', opType: 'Scan', input: ['x'], output: ['y'], attribute: [{ name: 'body', type: 5, g: branch('body', 'Relu') }, { name: 'num_scan_inputs', type: 2, i: 1 }] };
    const ifDet = { name: 'switch', opType: 'If', input: ['cond'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: branch('then', 'Det') }, { name: 'else_branch', type: 5, g: branch('else', 'Relu') }] };
    const cond = { name: 'cond', dataType: 9, dims: [], int32Data: [1] };
    expect(await checkOnnx(model(8, scan))).toEqual([{ node: 'scan', opType: 'Scan', opset: 8, missing: "opset 8's Scan (a batch axis and sequence_lens; convert the model to opset 9 or later)", reason: 'variant' }]);
    const e = await error(() => loadOnnx(model(16, ifDet, { initializer: [cond] }), { hearth: h }));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.message).toContain('node "switch" (If, opset 16): unsupported the op (no mapping), in node "then.op" (Det) of its then_branch');
    expect(h.leaks()).toEqual([]);
  });

  it('a shape the graph computes on the device, which a Reshape needs before it runs', async () => {
    const info = (name: string, elemType: number, dims: number[]) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        // An ArgMax runs on the device: its result is not known before the Reshape needs it.
        node: [
          { name: 'argmax', opType: 'ArgMax', input: ['s'], output: ['target'], attribute: [{ name: 'keepdims', type: 2, i: 0 }] },
          { name: 'reshape', opType: 'Reshape', input: ['x', 'target'], output: ['y'] },
        ],
        input: [info('x', 1, [2, 3]), info('s', 1, [2, 4])],
        output: [info('y', 1, [3, 2])],
      },
    }).finish();
    const e = await error(() => loadOnnx(bytes, { hearth: h }));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.message).toMatch(/node "reshape" \(Reshape, opset 13\): unsupported input "target" computed on the device/);
    expect(e.details['unsupported']).toEqual([expect.objectContaining({ node: 'reshape', reason: 'static-input' })]);
  });

  it('a training-mode Dropout that would draw a random mask, when it runs; inference Dropout is the identity', async () => {
    const info = (name: string, elemType: number, dims: number[]) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ name: 'drop', opType: 'Dropout', input: ['x', 'ratio', 'training'], output: ['y'] }],
        input: [info('x', 1, [2, 3]), info('ratio', 1, []), info('training', 9, [])],
        output: [info('y', 1, [2, 3])],
      },
    }).finish();
    const m = await loadOnnx(bytes, { hearth: h });
    const x = h.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
    const run = (ratio: number, training: boolean) => {
      const feeds = { x, ratio: h.tensor(ratio, { shape: [] }), training: h.tensor(training, { dtype: 'bool', shape: [] }) };
      return m.run(feeds).finally(() => [feeds.ratio, feeds.training].forEach((t) => t.dispose()));
    };
    for (const [ratio, training] of [[0.5, false], [0, true]] as const) {
      const { y } = await run(ratio, training);
      expect(Array.from(await y!.data())).toEqual([1, 2, 3, 4, 5, 6]);
      y!.dispose();
    }
    const e = await error(() => run(0.5, true));
    expect([e.code, e.details['node']]).toEqual(['E_UNSUPPORTED', 'drop']);
    expect(e.message).toMatch(/training_mode = true drops elements at random/);
    x.dispose();
    m.dispose();
    expect(h.leaks()).toEqual([]);
  });

  it.each([6, 22])('opset %i is outside 7 to 21', async (v) => {
    const e = await error(() => loadOnnx(model(v, { opType: 'Relu', input: ['x'], output: ['y'] }), { hearth: h }));
    expect([e.code, e.details['opset']]).toEqual(['E_UNSUPPORTED', v]);
  });
});

describe('inputs', () => {
  it('a wrong shape, a wrong dtype, a missing or unknown input: coded errors naming the input', async () => {
    const m = await loadOnnx(fixture('resnet.onnx'), { hearth: h });
    const cases: [Record<string, ReturnType<Hearth['tensor']>>, string, RegExp][] = [
      [{ image: h.zeros([2, 3, 8, 8]) }, 'E_SHAPE', /"image" must have shape \[N, 3, 16, 16\], got \[2, 3, 8, 8\]/],
      [{ image: h.zeros([2, 3, 16]) }, 'E_SHAPE', /"image"/],
      [{ image: h.zeros([2, 3, 16, 16], { dtype: 'int32' }) }, 'E_DTYPE', /"image" must be float32, got int32/],
      [{}, 'E_ARG', /"image" is missing/],
      [{ image: h.zeros([1, 3, 16, 16]), extra: h.zeros([1]) }, 'E_ARG', /no input "extra"/],
    ];
    for (const [feeds, code, message] of cases) {
      const e = await error(() => m.run(feeds));
      expect([e.code, e.message], code).toEqual([code, expect.stringMatching(message)]);
      for (const t of Object.values(feeds)) t.dispose();
    }
    m.dispose();
    expect(h.leaks()).toEqual([]);
  });

  it('symbolic dimensions must agree across inputs', async () => {
    const info = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'n' }] } } } });
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'g', node: [{ opType: 'Add', input: ['a', 'b'], output: ['y'] }], input: [info('a'), info('b')], output: [info('y')] },
    }).finish();
    const m = await loadOnnx(bytes, { hearth: h });
    const [a, b] = [h.zeros([3]), h.zeros([4])];
    const e = await error(() => m.run({ a, b }));
    expect([e.code, e.message]).toEqual(['E_SHAPE', expect.stringContaining('dimension "n"')]);
    a.dispose();
    b.dispose();
  });

  it('an int64 constant outside int32 is refused, not wrapped', async () => {
    const m = await loadOnnx(fixture('int64-range.onnx'), { hearth: h });
    const x = h.zeros([4]);
    const e = await error(() => m.run({ x }));
    expect([e.code, e.message]).toEqual(['E_DTYPE', expect.stringMatching(/node "gather".*3000000000.*int32/s)]);
    x.dispose();
    m.dispose();
    expect(h.leaks()).toEqual([]);
  });
});
