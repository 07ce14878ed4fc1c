import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** A fenced ```ts block of a docs page. */
export interface Snippet {
  /** The page. */
  readonly file: string;
  /** The line of the opening fence (1-based). */
  readonly line: number;
  /** The code. */
  readonly code: string;
  /** Fenced ```ts continued: the block continues the module of the block before it. */
  readonly continues?: boolean;
}

/** Every ```ts (or ```typescript) block of the Markdown files in `dir`; ```ts continued marks a continuation. */
export function tsSnippets(dir: string): Snippet[] {
  const out: Snippet[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const fence = /^```(?:ts|typescript)(\s+continued)?\s*$/.exec(lines[i]!);
      if (!fence) continue;
      const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
      out.push({ file: join(dir, name), line: i + 1, code: lines.slice(i + 1, end).join('\n'), ...(fence[1] ? { continues: true } : {}) });
      i = end;
    }
  }
  return out;
}

/**
 * Type-checks the ts blocks of docs pages as ES modules placed beside their page (so `@hearth/*` resolve as
 * they do in the repository). Each block is a module of its own, except a block fenced ```ts continued,
 * which continues the module before it (a guide builds its example up block by block). Returns the diagnostics,
 * each as `page:line: message` with the line in the page.
 */
export function typeCheck(snippets: readonly Snippet[], options: ts.CompilerOptions): string[] {
  const pages = new Map<string, { text: string; lineOf: number[] }>();
  let current = '';
  for (const [i, s] of snippets.entries()) {
    if (!s.continues || i === 0 || s.file !== snippets[i - 1]!.file) current = `${s.file}.${s.line}.snippet.ts`;
    const page = pages.get(current) ?? { text: '', lineOf: [] };
    for (const [k, l] of s.code.split('\n').entries()) {
      page.text += `${l}\n`;
      page.lineOf.push(s.line + 1 + k);
    }
    pages.set(current, page);
  }
  for (const page of pages.values()) page.text += 'export {};\n';
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => {
    const page = pages.get(name);
    return page ? ts.createSourceFile(name, page.text, lang) : getSourceFile(name, lang, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => pages.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => pages.get(name)?.text ?? readFile(name);
  const program = ts.createProgram([...pages.keys()], { ...options, noEmit: true }, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const page = pages.get(d.file.fileName);
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return page ? `${d.file.fileName.replace(/\.\d+\.snippet\.ts$/, '')}:${page.lineOf[line]}: ${text}` : `${d.file.fileName}: ${text}`;
  });
}

/** A module of a page: its blocks joined, where it starts, and what its `console.log(...) // value` lines promise. */
export interface SnippetModule {
  /** The page. */
  readonly file: string;
  /** The line of its first fence. */
  readonly line: number;
  /** The TypeScript source. */
  readonly code: string;
  /** The comments after each `console.log(...);`, in order: what each call prints. */
  readonly expected: readonly string[];
}

/** The modules of `snippets` (a continued block joins the one before). */
export function snippetModules(snippets: readonly Snippet[]): SnippetModule[] {
  const out: { file: string; line: number; code: string }[] = [];
  for (const [i, s] of snippets.entries()) {
    const prev = out.at(-1);
    if (s.continues && i > 0 && prev && s.file === snippets[i - 1]!.file) prev.code += `\n${s.code}`;
    else out.push({ file: s.file, line: s.line, code: s.code });
  }
  return out.map((m) => ({ ...m, expected: [...m.code.matchAll(/^\s*console\.log\(.*\);\s*\/\/ (.+)$/gm)].map((x) => x[1]!) }));
}

/** Printed values and the comments that promise them compare without whitespace (`[ 1, 2 ]` is `[1, 2]`). */
export function samePrint(printed: string, promised: string): boolean {
  return printed.replace(/\s+/g, '') === promised.replace(/\s+/g, '');
}
