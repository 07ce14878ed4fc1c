import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainCall } from './explain.js';

describe('hearth explain on a partial plugin', () => {
  it('explains a call on a plugin that has no `full` kernel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-explain-'));
    const file = join(dir, 'partial.mjs');
    // The plugin module imports the CPU plugin the way a vendor's built module would (by URL here).
    writeFileSync(
      file,
      `import { createCpuPlugin, CPU_KERNELS } from ${JSON.stringify(import.meta.resolve('@hearth/plugin-cpu'))};
       export default createCpuPlugin({ name: 'acme-partial', kernels: CPU_KERNELS.filter((k) => k.op === 'add') });\n`,
    );
    const e = await explainCall('add', { shapes: '2x3,3', plugins: [file] });
    expect(e.kernel).toEqual({ plugin: 'acme-partial', version: '1.0.0' });
    expect(e.shape).toEqual([2, 3]);
  });
});
