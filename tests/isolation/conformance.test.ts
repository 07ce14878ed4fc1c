/**
 * The isolated path keeps the plugin contract: the conformance suite, run on plugins loaded in their own
 * process (`createHearth({ isolate: true })`), where data crosses processes and kernels run by message.
 * The whole core profile for the reference native plugin; a cross-section of ops for the CPU and wasm ones.
 */
import { describe, expect, it } from 'vitest';
import { runConformance, type RunResult } from '@hearth/conformance';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import nativePlugin from '@hearth/plugin-native';

const notPassing = (r: RunResult) => r.results.filter((c) => c.status !== 'pass' && c.status !== 'not-supported').map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`);

describe('the conformance suite on isolated plugins', () => {
  it('the reference native plugin passes the whole core profile isolated', async () => {
    const r = await runConformance({ plugin: nativePlugin, isolate: true });
    expect(r.init.ok).toBe(true);
    expect(notPassing(r)).toEqual([]);
    expect(r.counts.pass).toBeGreaterThan(1000);
  }, 300_000);

  const sample = ['hearth:op,add:*', 'hearth:op,matmul:*', 'hearth:op,sum:*', 'hearth:op,gather:*', 'hearth:op,conv2d:*', 'hearth:op,cast:*', 'hearth:lifecycle,*'];
  for (const [name, plugin] of [['cpu', cpuPlugin], ['wasm', wasmPlugin]] as const) {
    it(`the ${name} plugin passes a cross-section of the core profile isolated`, async () => {
      const r = await runConformance({ plugin, isolate: true, queries: sample });
      expect(r.init.ok).toBe(true);
      expect(notPassing(r)).toEqual([]);
      expect(r.counts.pass).toBeGreaterThan(100);
    }, 120_000);
  }
});
