import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { HearthError } from '@hearth/core';

/** The folder holding the reference models and their reference files. */
export const MODELS_DIR: URL = new URL('../../models/', import.meta.url);

/** A float32 tensor of a reference file. */
export interface ReferenceTensor {
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its elements. */
  readonly data: Float32Array;
}

/** A model's reference: its inputs and the outputs onnxruntime-node computed on them. */
export interface ModelReference {
  /** The model's name. */
  readonly model: string;
  /** What computed the outputs. */
  readonly producedBy: string;
  /** The inputs, by the model's input names. */
  readonly inputs: Readonly<Record<string, ReferenceTensor>>;
  /** The outputs, by the model's output names. */
  readonly outputs: Readonly<Record<string, ReferenceTensor>>;
}

const SCHEMA = JSON.parse(readFileSync(new URL('../../schema/model-reference.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(SCHEMA);

/** The model file's bytes (from `dir`, the suite's models by default). */
export function modelBytes(name: string, dir: URL = MODELS_DIR): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`${name}.onnx`, dir)));
}

/**
 * Reads and checks `models/<name>.reference.json`: valid against schema/model-reference.schema.json, made
 * from this very model file (its SHA-256), and each tensor's data the size of its shape (from `dir`, the
 * suite's models by default). A damaged or stale
 * reference is `E_ARG` naming the file and the path of the problem: it must never judge a plugin.
 */
export function readReference(name: string, dir: URL = MODELS_DIR): ModelReference {
  const file = new URL(`${name}.reference.json`, dir);
  const bad = (why: string) => new HearthError('E_ARG', `${file.pathname}: ${why}; regenerate it with scripts/make-model-references.mjs.`, { file: file.pathname });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw bad(`not readable JSON (${(e as Error).message})`);
  }
  if (!validate(raw)) throw bad((validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; '));
  const ref = raw as { model: string; modelSha256: string; producedBy: string; inputs: Record<string, { shape: number[]; float32: string }>; outputs: Record<string, { shape: number[]; float32: string }> };
  if (ref.model !== name) throw bad(`#/model says "${ref.model}", not "${name}"`);
  const sha = createHash('sha256').update(modelBytes(name, dir)).digest('hex');
  if (sha !== ref.modelSha256) throw bad(`#/modelSha256 is not the SHA-256 of ${name}.onnx (${sha}): the model changed since its outputs were computed`);
  const tensors = (group: 'inputs' | 'outputs') =>
    Object.fromEntries(
      Object.entries(ref[group]).map(([k, t]) => {
        const bytes = Buffer.from(t.float32, 'base64');
        const size = t.shape.reduce((a, b) => a * b, 1);
        if (bytes.length !== size * 4) throw bad(`#/${group}/${k}/float32 holds ${bytes.length} bytes, but shape [${t.shape.join(', ')}] needs ${size * 4}`);
        const data = new Float32Array(size);
        new Uint8Array(data.buffer).set(bytes);
        return [k, { shape: t.shape, data }];
      }),
    );
  return { model: name, producedBy: ref.producedBy, inputs: tensors('inputs'), outputs: tensors('outputs') };
}

/** Writes a reference file's JSON (for the generating script): float32 data as little-endian base64. */
export function referenceJson(model: string, modelSha256: string, producedBy: string, inputs: Record<string, ReferenceTensor>, outputs: Record<string, ReferenceTensor>): string {
  const enc = (ts: Record<string, ReferenceTensor>) =>
    Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, { shape: [...t.shape], float32: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64') }]));
  return `${JSON.stringify({ format: 1, model, modelSha256, producedBy, inputs: enc(inputs), outputs: enc(outputs) }, null, 2)}\n`;
}
