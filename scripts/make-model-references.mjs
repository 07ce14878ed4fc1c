#!/usr/bin/env node
// Writes the reference file of every model of the conformance suite's model sets
// (tests/conformance/models/<name>.reference.json): inputs drawn from the suite's seed, and the outputs
// onnxruntime-node computes on them. Run after adding a model to a new set (build first: npx tsc -b).
// Usage: node scripts/make-model-references.mjs
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { MODEL_SETS, MODELS_DIR, Rng, SUITE_SEED, hashSeed, referenceJson } from '@hearth/conformance';

/** The input shapes each model is run on (a symbolic batch or sequence takes these values). */
const SHAPES = {
  resnet: { image: [2, 3, 16, 16] },
  transformer: { x: [2, 5, 16] },
  'conventions-opset13': { x: [2, 3, 4] },
};

const version = createRequire(import.meta.url)('onnxruntime-node/package.json').version;
for (const name of new Set(MODEL_SETS.flatMap((s) => s.models.map((m) => m.name)))) {
  const file = new URL(`${name}.onnx`, MODELS_DIR);
  const bytes = readFileSync(file);
  const session = await ort.InferenceSession.create(bytes);
  const rng = new Rng(hashSeed(SUITE_SEED, `model:${name}`));
  const inputs = Object.fromEntries(
    session.inputNames.map((input) => {
      const shape = SHAPES[name]?.[input];
      if (!shape) throw new Error(`no input shape for ${name}.${input}: add it to SHAPES`);
      return [input, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)) }];
    }),
  );
  const out = await session.run(Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.shape)])));
  const outputs = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { shape: [...t.dims], data: Float32Array.from(t.data) }]));
  await session.release();
  const sha = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(new URL(`${name}.reference.json`, MODELS_DIR), referenceJson(name, sha, `onnxruntime-node ${version}`, inputs, outputs));
  console.log(`${name}: ${Object.keys(outputs).join(', ')} (onnxruntime-node ${version})`);
}
