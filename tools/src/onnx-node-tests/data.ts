import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HearthError } from '@hearth/core';
import { readTensorProto, type OnnxTensor } from '@hearth/onnx';

/** Where `scripts/setup` generates ONNX's backend node tests, from the repository root. */
export const DEFAULT_NODE_TEST_DIR = 'tests/onnx-node/data/node';

/** How to make the data, for messages. */
const HOW =
  'Generate it with scripts/setup, or by hand: `/usr/bin/python3 scripts/generate-onnx-node-tests.py tests/onnx-node/data` (needs Debian\'s python3-onnx)';

/** One input/output set of a node test: the tensors in graph-input and graph-output order. */
export interface NodeTestDataSet {
  readonly inputs: readonly OnnxTensor[];
  readonly outputs: readonly OnnxTensor[];
}

/** One ONNX backend node test: a single-node model and its data sets. */
export interface NodeTest {
  /** The test's name, its folder's (`test_add_bcast`). */
  readonly name: string;
  /** The path of its `model.onnx`. */
  readonly model: string;
  /** Reads its data sets (the `test_data_set_N` folders, in order). */
  dataSets(): NodeTestDataSet[];
}

/** The numbered `.pb` files of a data set with this prefix, in order. */
function tensors(dir: string, prefix: 'input' | 'output'): OnnxTensor[] {
  const files = readdirSync(dir).filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'));
  const index = (f: string) => Number(f.slice(prefix.length + 1, -3));
  return files.sort((a, b) => index(a) - index(b)).map((f) => readTensorProto(new Uint8Array(readFileSync(join(dir, f)))));
}

/**
 * The node tests under `dir` (ONNX's `data/node` folder: one folder per test with `model.onnx` and
 * `test_data_set_*`), sorted by name. A missing or empty folder is `E_ARG`, saying how to make it.
 */
export function findNodeTests(dir: string = DEFAULT_NODE_TEST_DIR): NodeTest[] {
  const root = resolve(dir);
  if (!existsSync(root)) throw new HearthError('E_ARG', `No ONNX backend node tests at ${root}. ${HOW}.`, { path: root });
  const names = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'model.onnx'))).map((d) => d.name).sort();
  if (!names.length) throw new HearthError('E_ARG', `${root} holds no ONNX node tests (folders with a model.onnx). ${HOW}.`, { path: root });
  return names.map((name) => {
    const folder = join(root, name);
    return {
      name,
      model: join(folder, 'model.onnx'),
      dataSets: () =>
        readdirSync(folder)
          .filter((f) => f.startsWith('test_data_set_'))
          .sort((a, b) => Number(a.slice(14)) - Number(b.slice(14)))
          .map((f) => ({ inputs: tensors(join(folder, f), 'input'), outputs: tensors(join(folder, f), 'output') })),
    };
  });
}
