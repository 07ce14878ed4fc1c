/**
 * The conformance suite's model profiles judge plugins against stored outputs: these must be what
 * onnxruntime-node computes from the stored inputs today (not a Hearth backend's outputs), and a reference
 * that no longer belongs to its model is refused rather than used.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { MODEL_SETS, MODELS_DIR, modelBytes, readReference } from '@hearth/conformance';

const models = [...new Set(MODEL_SETS.flatMap((s) => s.models.map((m) => m.name)))];

describe('the reference outputs of the model profiles', () => {
  for (const name of models) {
    it(`${name}: are onnxruntime-node's outputs on the stored inputs, bit for bit`, async () => {
      const ref = readReference(name);
      expect(ref.producedBy).toMatch(/^onnxruntime-node \d+\.\d+\.\d+$/);
      const session = await ort.InferenceSession.create(modelBytes(name));
      const out = await session.run(Object.fromEntries(Object.entries(ref.inputs).map(([k, t]) => [k, new ort.Tensor('float32', t.data, [...t.shape])])));
      await session.release();
      expect(Object.keys(out).sort()).toEqual(Object.keys(ref.outputs).sort());
      for (const [k, t] of Object.entries(ref.outputs)) {
        expect([...out[k]!.dims], k).toEqual([...t.shape]);
        expect(Array.from(out[k]!.data as Float32Array), k).toEqual(Array.from(t.data));
      }
    });
  }

  it('are refused when the model changed since, or the file is damaged, with the path of the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-ref-'));
    const at = pathToFileURL(`${dir}/`);
    const original = readFileSync(new URL('resnet.reference.json', MODELS_DIR), 'utf8');
    copyFileSync(fileURLToPath(new URL('resnet.onnx', MODELS_DIR)), join(dir, 'resnet.onnx'));
    writeFileSync(join(dir, 'resnet.reference.json'), original);
    expect(readReference('resnet', at).outputs['probs']).toBeDefined();
    writeFileSync(join(dir, 'resnet.reference.json'), original.replace(/"modelSha256": "[0-9a-f]{4}/, '"modelSha256": "0000'));
    expect(() => readReference('resnet', at)).toThrow(/#\/modelSha256 is not the SHA-256 of resnet\.onnx/);
    writeFileSync(join(dir, 'resnet.reference.json'), original.replace('"format": 1', '"format": 2'));
    expect(() => readReference('resnet', at)).toThrow(/\/format must be equal to constant/);
  });
});
