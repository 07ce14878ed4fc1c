import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { samePrint, snippetModules, tsSnippets, typeCheck } from './snippets.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The repository's compiler options (strict, NodeNext, the source condition), as a package would build. */
function repoOptions(): ts.CompilerOptions {
  const file = join(REPO, 'tsconfig.base.json');
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, REPO).options;
}

describe('the code in docs/', () => {
  const snippets = tsSnippets(join(REPO, 'docs'));

  it('has TypeScript snippets on every guide', () => {
    const pages = new Set(snippets.map((s) => s.file.split('/').pop()));
    for (const page of ['quick-start.md', 'writing-a-plugin.md', 'certify-and-publish.md']) expect(pages).toContain(page);
  });

  it('type-checks, each block as a module (a continued block with the one before)', () => {
    // Without the source condition: the snippets see the built declarations, as a user does.
    expect(typeCheck(snippets, { ...repoOptions(), customConditions: [], composite: false, declaration: false, declarationMap: false })).toEqual([]);
  });

  it('reports a broken snippet at its line in the page', () => {
    const broken = [{ file: join(REPO, 'docs/example.md'), line: 10, code: "import { createHearth } from '@hearth/core';\ncreateHearth({ plugins: 1 });" }];
    const [message] = typeCheck(broken, { ...repoOptions(), composite: false, declaration: false, declarationMap: false });
    expect(message).toMatch(/docs\/example\.md:12: .*number/);
  });
});

describe('the runnable examples in docs/', () => {
  // Modules that import anything but the core and the CPU plugin (a device, a reader's plugin) are type-checked only.
  const runnable = snippetModules(tsSnippets(join(REPO, 'docs'))).filter((m) => ![...m.code.matchAll(/from '([^']+)'/g)].some((x) => !['@hearth/core', '@hearth/plugin-cpu'].includes(x[1]!)));
  const dir = join(REPO, 'node_modules/.cache/hearth-docs');

  it('include the quick start', () => {
    expect(runnable.map((m) => m.file.split('/').pop())).toContain('quick-start.md');
  });

  for (const m of runnable) {
    it(`${m.file.split('/').pop()}:${m.line} runs and prints what its comments say`, () => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${m.file.split('/').pop()}.${m.line}.mjs`);
      writeFileSync(file, ts.transpileModule(m.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
      const printed = execFileSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, HEARTH_BACKENDS: '' } }).trimEnd().split('\n');
      expect(printed).toHaveLength(m.expected.length);
      for (const [i, line] of printed.entries()) expect(samePrint(line, m.expected[i]!), `${line} vs ${m.expected[i]}`).toBe(true);
    });
  }
});
