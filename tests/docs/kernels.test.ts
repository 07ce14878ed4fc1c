import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { snippetModules, tsSnippets, type Snippet, type SnippetModule } from './snippets.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DIR = join(REPO, 'node_modules/.cache/hearth-docs');

/** `const name: HearthPlugin = ...`: a module of a page that defines a plugin, and the plugin's name. */
const PLUGIN = /^(?:export )?const (\w+): HearthPlugin\b/m;

/** The modules of docs pages that define a plugin, without the blocks that run the suite themselves (the test runs it). */
function pluginModules(snippets: readonly Snippet[]): (SnippetModule & { readonly plugin: string })[] {
  const definitions = snippets.map((s) => (s.code.includes("from '@hearth/conformance'") ? { ...s, code: '' } : s));
  return snippetModules(definitions).flatMap((m) => {
    const name = PLUGIN.exec(m.code)?.[1];
    return name ? [{ ...m, plugin: name }] : [];
  });
}

/** What the suite says of one docs plugin: each op it registers, on its device, with the `core-partial` profile. */
interface Verdict {
  readonly ops: string[];
  readonly verdict: string;
  readonly failed: string[];
}

/**
 * Runs the conformance suite on the plugin a module defines, in a Node process of its own (the built
 * packages, as a reader's project has them). The plugin's ops are read from a runtime that loads it alone.
 */
function conform(m: SnippetModule & { readonly plugin: string }, tag: string): Verdict {
  mkdirSync(DIR, { recursive: true });
  const base = join(DIR, `${m.file.split('/').pop()}.${m.line}.${tag}`);
  const js = ts.transpileModule(m.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  writeFileSync(`${base}.plugin.mjs`, `${js}\nexport const __plugin = ${m.plugin};\n`);
  writeFileSync(
    `${base}.conform.mjs`,
    `import { createHearth } from '@hearth/core';
import { FAILING, runConformance } from '@hearth/conformance';
const { __plugin: plugin } = await import(${JSON.stringify(`${base}.plugin.mjs`)});
const device = plugin.manifest.deviceTypes[0];
const hearth = createHearth({ plugins: [plugin] });
await hearth.ready();
const ops = [...new Set(hearth.kernels().filter((k) => k.device === device).map((k) => k.op))].sort();
await hearth.dispose();
const run = await runConformance({ plugin, device, profile: 'core-partial', queries: ops.map((op) => 'hearth:op,' + op + ':*') });
const failed = run.results.filter((r) => FAILING.includes(r.status)).map((r) => r.id + ' ' + r.status);
process.stdout.write('\\n' + JSON.stringify({ ops, verdict: run.verdict, failed }) + '\\n');
`,
  );
  const out = execFileSync(process.execPath, [`${base}.conform.mjs`], { encoding: 'utf8', env: { ...process.env, HEARTH_BACKENDS: '' } });
  return JSON.parse(out.trimEnd().split('\n').at(-1)!) as Verdict;
}

describe('the plugins defined in docs/', () => {
  const modules = pluginModules(tsSnippets(join(REPO, 'docs')));

  it('include the guide to writing a plugin', () => {
    expect(modules.map((m) => m.file.split('/').pop())).toContain('writing-a-plugin.md');
  });

  it('leave no kernel out: every module that registers or defines a kernel defines its plugin as `const name: HearthPlugin`', () => {
    const withKernels = snippetModules(tsSnippets(join(REPO, 'docs'))).filter((m) => /\bregisterKernel\(|\bKernelSpec\b/.test(m.code));
    expect(withKernels.map((m) => `${m.file}:${m.line}`)).toEqual(modules.map((m) => `${m.file}:${m.line}`));
  });

  for (const m of modules) {
    it(`${m.file.split('/').pop()}:${m.line} (${m.plugin}) passes the conformance suite for every op it registers`, () => {
      const { ops, verdict, failed } = conform(m, 'docs');
      expect(ops.length).toBeGreaterThan(0);
      expect(failed).toEqual([]);
      expect(verdict).toBe('pass');
    });
  }

  it("fails a kernel that broadcasts by x[i % x.length] (the guide's old add)", () => {
    const guide = modules.find((m) => m.file.endsWith('writing-a-plugin.md'))!;
    const old = `const add: KernelSpec<NpuBackend> = {
  op: 'add',
  device: 'npu',
  dtypes: ['float32', 'int32'],
  run([a, b], out) {
    const [x, y, o] = [data(a!), data(b!), data(out)];
    for (let i = 0; i < o.length; i++) o[i] = x[i % x.length]! + y[i % y.length]!;
  },
};`;
    const code = guide.code.replace(/const add: KernelSpec<NpuBackend> = \{[\s\S]*?\n\};/, old);
    expect(code).toContain('x[i % x.length]');
    const { verdict, failed } = conform({ ...guide, code }, 'old');
    expect(verdict).toBe('fail');
    expect(failed.some((id) => id.includes('add'))).toBe(true);
  });
});
