import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// STYLE.md: imports flow one way; a lower file names what it needs of an upper one as a small interface.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sourceDirs = [join(root, 'core/src'), join(root, 'onnx/src'), ...readdirSync(join(root, 'plugins')).map((p) => join(root, 'plugins', p, 'src'))].filter(existsSync);

/**
 * The Hearth packages each lower package may import (ARCHITECTURE.md's layout table): arrows point down only,
 * a plugin never imports another plugin (the native loader aside), @hearth/onnx runs on whatever runtime
 * it is given, so it imports the core only, and the conformance suite sits below @hearth/onnx.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'core/src': [],
  'onnx/src': ['@hearth/core'],
  // The suite defines model profiles but runs no ONNX itself: the CLI hands it @hearth/onnx as a ModelRunner.
  'tests/conformance/src': ['@hearth/core'],
  'plugins/cpu/src': ['@hearth/core'],
  // The wasm backend runs the reference CPU kernels for the ops it has no SIMD kernel of its own for.
  'plugins/wasm/src': ['@hearth/core', '@hearth/plugin-cpu'],
  'plugins/webgpu/src': ['@hearth/core'],
  'plugins/native/src': ['@hearth/core'],
  'plugins/cuda/src': ['@hearth/core', '@hearth/plugin-native'],
  'plugins/onednn/src': ['@hearth/core', '@hearth/plugin-native'],
};

/** The packages whose imports are checked against {@link ALLOWED}: those of the cycle check, and the suite. */
const layerDirs = [...sourceDirs, join(root, 'tests/conformance/src')];

/** Every .ts source file (tests aside) under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative modules a file imports or re-exports, types included (`import type` makes a circle too). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^;'"]*?(?:\bfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specs.map((s) => {
    const base = resolve(dirname(file), s.replace(/\.js$/, ''));
    return [`${base}.ts`, join(base, 'index.ts')].find(existsSync) ?? `${base}.ts`;
  });
}

/** The import circles in a graph, each once, as the files along it. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      found.push([...path.slice(path.indexOf(f)), f]);
      return;
    }
    state.set(f, 'open');
    path.push(f);
    for (const g of graph.get(f) ?? []) visit(g);
    path.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f);
  return found;
}

describe('module structure', () => {
  it('has no import circle in the core or any plugin', () => {
    const files = sourceDirs.flatMap(sources);
    const graph = new Map(files.map((f) => [f, imports(f)]));
    expect(files.length).toBeGreaterThan(20);
    expect(graph.get(join(root, 'core/src/runtime.ts'))).toContain(join(root, 'core/src/memory.ts'));
    expect(circles(graph).map((c) => c.map((f) => relative(root, f)).join(' -> '))).toEqual([]);
  });

  it('imports only the Hearth packages its layer allows', () => {
    const wrong: string[] = [];
    for (const dir of layerDirs) {
      const allowed = ALLOWED[relative(root, dir)];
      expect(allowed, `${relative(root, dir)} needs a row in ALLOWED`).toBeDefined();
      // A package's own name appears in its usage examples.
      const own = (JSON.parse(readFileSync(join(dir, '../package.json'), 'utf8')) as { name: string }).name;
      for (const f of sources(dir)) {
        const text = readFileSync(f, 'utf8');
        for (const m of text.matchAll(/^\s*(?:import|export)\b[^;'"]*?(?:\bfrom\s*)?['"](@hearth\/[^'"/]+)/gm)) {
          if (m[1] !== own && !allowed!.includes(m[1]!)) wrong.push(`${relative(root, f)} imports ${m[1]}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
