import { expect, it } from 'vitest';
import { runConformance } from '@hearth/conformance';
import { webgpuPlugin } from '@hearth/plugin-webgpu';

// The whole `core` profile on whatever adapter this machine gives (Dawn's software adapter without a GPU),
// in process: every case must pass, and the suite's own end-of-run check finds no live tensor, no
// backend allocation (pooled buffers excepted) and no scratch left behind.
it('passes the core conformance profile with no leaks', async () => {
  const r = await runConformance({ plugin: webgpuPlugin, profile: 'core' });
  const failing = r.results.filter((c) => c.status !== 'pass');
  expect(failing.map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`)).toEqual([]);
  expect(r.verdict).toBe('pass');
  expect(r.device.type).toBe('webgpu');
  expect(r.device.info?.['backend']).toBeTruthy();
  const leakCases = r.results.filter((c) => c.id.includes('leak'));
  expect(leakCases.length).toBeGreaterThan(0);
  expect(leakCases.every((c) => c.status === 'pass')).toBe(true);
}, 180_000);

// The `large` profile: matmul and conv2d reductions past 65,536, reductions over more than 2^24 elements
// a softmax row of 6 million, and property draws past the thread-split sizes. llvmpipe ends a shader's loops after 65,535 iterations without an error;
// before the kernels split long loops these came back wrong.
it('passes the large conformance profile', async () => {
  const r = await runConformance({ plugin: webgpuPlugin, profile: 'large' });
  expect(r.results.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`)).toEqual([]);
  expect(r.verdict).toBe('pass');
}, 480_000);
