import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kindOf, opsetOps, type PluginManifest } from '@hearth/core';
import { manifest as cudaManifest, CUDA_LIBRARY } from '@hearth/plugin-cuda';
import { manifest as nativeManifest, openNativeLibrary, REFERENCE_LIBRARY } from '@hearth/plugin-native';
import { manifest as onednnManifest, ONEDNN_LIBRARY } from '@hearth/plugin-onednn';
import { manifest as webgpuManifest, WEBGPU_KERNELS } from '@hearth/plugin-webgpu';

const PRIMITIVES = opsetOps(2).filter((op) => kindOf(op) === 'primitive').map((op) => op.name);

/** The primitives of the manifest's opset that have no kernel among `ops`. */
function missing(manifest: PluginManifest, ops: readonly string[]): string[] {
  const have = new Set(ops);
  return opsetOps(manifest.opset ?? 1)
    .filter((op) => kindOf(op) === 'primitive' && !have.has(op.name))
    .map((op) => op.name);
}

// A plugin declares the opset whose every primitive it implements: a declared opset with a primitive
// missing would send that operator to the fallback while certificates say the plugin has it.
describe('the native-ABI and GPU first-party plugins declare opset 2 and have a kernel for each of its primitives', () => {
  it('lists the opset v2 primitives this checks', () => {
    expect(PRIMITIVES).toEqual(expect.arrayContaining(['erf', 'mod', 'cumsum', 'topk', 'gather_elements', 'tile', 'resize', 'conv_transpose2d', 'random_uniform', 'random_normal']));
  });

  it('webgpu', () => {
    expect(webgpuManifest.opset).toBe(2);
    expect(missing(webgpuManifest, WEBGPU_KERNELS.map((k) => k.op))).toEqual([]);
  });

  it('the native reference library', () => {
    expect(nativeManifest.opset).toBe(2);
    expect(missing(nativeManifest, openNativeLibrary(REFERENCE_LIBRARY).kernels.map((k) => k.op))).toEqual([]);
  });

  it.skipIf(!existsSync(ONEDNN_LIBRARY))('the oneDNN library (the reference kernels beside oneDNN\'s matmul)', () => {
    expect(onednnManifest.opset).toBe(2);
    expect(missing(onednnManifest, openNativeLibrary(ONEDNN_LIBRARY).kernels.map((k) => k.op))).toEqual([]);
  });

  it.skipIf(!existsSync(CUDA_LIBRARY))('the CUDA library (its kernel list needs no GPU)', () => {
    expect(cudaManifest.opset).toBe(2);
    expect(missing(cudaManifest, openNativeLibrary(CUDA_LIBRARY).kernels.map((k) => k.op))).toEqual([]);
  });
});
