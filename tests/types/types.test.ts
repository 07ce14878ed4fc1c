import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

// Parsed files, shared by the programs below (each parses the same libs and .d.ts otherwise).
const parsed = new Map<string, ts.SourceFile | undefined>();

/** Type-checks files against the packages' built .d.ts (as a user's project sees them); returns the diagnostics as text. */
function typeErrors(files: readonly string[], options: ts.CompilerOptions = {}): string[] {
  const all: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
    skipDefaultLibCheck: true, // TypeScript's own lib files; every other .d.ts is checked where skipLibCheck is false
    ...options,
  };
  const host = ts.createCompilerHost(all);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => {
    if (!parsed.has(name)) parsed.set(name, read(name, language, ...rest));
    return parsed.get(name);
  };
  const program = ts.createProgram(files, all, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

describe('the published declarations', () => {
  // Target ES2022 with its default lib, and with the bare "es2022" lib: neither has ESNext.Disposable.
  for (const lib of [undefined, ['lib.es2022.d.ts']]) {
    it(`compile in a strict project with skipLibCheck false and lib ${lib ? 'es2022' : 'left to the target'}, and hide Tensor's internals`, () => {
      expect(typeErrors([join(here, 'fixtures/consumer.ts')], { skipLibCheck: false, ...(lib ? { lib } : {}) })).toEqual([]);
    });
  }

  it('compile beside lib ESNext, which declares Symbol.dispose too (as @types/node does)', () => {
    expect(typeErrors([join(here, 'fixtures/consumer.ts')], { skipLibCheck: false, lib: ['lib.esnext.d.ts'] })).toEqual([]);
  });
});

describe('the typed tensor API', () => {
  it('types array() and item() by rank and dtype, through creation and operators', () => {
    expect(typeErrors([join(here, 'fixtures/typed-api.ts')], { lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'], skipLibCheck: true })).toEqual([]);
  });
});
