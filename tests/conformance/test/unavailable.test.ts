import { describe, expect, it } from 'vitest';
import type { HearthPlugin } from '@hearth/core';
import { backendsHtml, htmlReport, runConformance } from '../src/index.js';

// A device that can't start on this machine (an NPU without its driver) is unavailable, never a failure.
const npuWithoutDriver: HearthPlugin = {
  manifest: { name: 'acme-npu', version: '0.1.0', vendor: 'ACME', deviceTypes: ['npu'], coreApi: '^1.0.0' },
  register(host) {
    host.registerBackend({ type: 'npu', create: () => { throw new Error('no NPU driver is installed'); } });
  },
};

describe('a backend that is unavailable here', () => {
  it('is grey with its reason in the main report and its own, never a red FAIL', async () => {
    const run = await runConformance({ plugin: npuWithoutDriver, profile: 'core', queries: ['hearth:op,add:*'] });
    expect(run.init.ok).toBe(false);
    const index = backendsHtml([{ title: 'npu (acme-npu)', run }], ['npu/index.html']);
    expect(index).toContain('UNAVAILABLE');
    expect(index).toContain('class="unavailable"');
    expect(index).toContain('no NPU driver is installed');
    expect(index).not.toMatch(/class="(fail|crash|timeout)"/);
    expect(index).not.toContain('FAIL<');
    const own = htmlReport(run);
    expect(own).toContain('Unavailable here');
    expect(own).not.toContain('Verdict: FAIL');
  });
});
