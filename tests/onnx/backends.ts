import type { HearthPlugin } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import nativePlugin from '@hearth/plugin-native';
import { webgpuPlugin } from '@hearth/plugin-webgpu';

/**
 * The first-party backends models are checked on, each with the CPU plugin beside it: a runtime made from
 * one falls back to the CPU where the backend lacks a kernel, as a user running a model would.
 */
export const MODEL_BACKENDS: readonly { readonly type: string; readonly plugins: readonly HearthPlugin[] }[] = [
  { type: 'cpu', plugins: [cpuPlugin] },
  { type: 'wasm', plugins: [wasmPlugin, cpuPlugin] },
  { type: 'native', plugins: [nativePlugin, cpuPlugin] },
  { type: 'webgpu', plugins: [webgpuPlugin, cpuPlugin] },
];
