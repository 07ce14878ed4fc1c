import { readFileSync } from 'node:fs';
import type { Hearth } from '@hearth/core';
import { ALLOWED_FAILURES, KNOWN_FAILURES, expectedFailure } from './allow-list.js';
import { classify, type UnmappedReason } from './classify.js';
import type { NodeTest } from './data.js';
import { runNodeTest } from './run-test.js';

/** A backend the node tests run on: a runtime and the device of it the models are loaded on. */
export interface NodeTestBackend {
  /** Its name in the report (the device type: `cpu`, `wasm`...). */
  readonly name: string;
  readonly hearth: Hearth;
  /** The device the models run on (`wasm:0`). */
  readonly device: string;
}

/** A node test that does not map to Hearth. */
export interface UnmappedTest {
  readonly name: string;
  readonly reason: UnmappedReason;
  readonly unmappedOps: readonly string[];
  readonly detail: string;
}

/** A mapped test that did not pass on a backend. */
export interface FailedTest {
  readonly name: string;
  readonly detail: string;
  /** The allow-list's reason, when the difference is by Hearth's documented semantics. */
  readonly allowed?: string;
  /** The reason of its entry in the known failures (a gap not fixed yet). */
  readonly known?: string;
}

/** The results on one backend. */
export interface BackendResult {
  readonly backend: string;
  readonly passed: number;
  readonly failed: readonly FailedTest[];
  /** Tests not run here because they need a dtype the device does not store, with that dtype. */
  readonly unstored: readonly { readonly name: string; readonly detail: string }[];
  /** Passed tests some of whose kernels ran on the fallback device. */
  readonly withFallback: readonly string[];
}

/** What the node tests showed. */
export interface NodeTestReport {
  readonly total: number;
  /** The names of the tests that map to Hearth. */
  readonly mapped: readonly string[];
  readonly unmapped: readonly UnmappedTest[];
  readonly backends: readonly BackendResult[];
}

/** The mapped tests and the unmapped ones with their reasons. */
export async function classifyNodeTests(tests: readonly NodeTest[]): Promise<{ mapped: NodeTest[]; unmapped: UnmappedTest[] }> {
  const mapped: NodeTest[] = [];
  const unmapped: UnmappedTest[] = [];
  for (const t of tests) {
    const m = await classify(new Uint8Array(readFileSync(t.model)));
    if (m.mapped) mapped.push(t);
    else unmapped.push({ name: t.name, reason: m.reason, unmappedOps: m.unmappedOps, detail: m.detail });
  }
  return { mapped, unmapped };
}

/** Runs the mapped tests on one backend. */
export async function runOnBackend(tests: readonly NodeTest[], backend: NodeTestBackend, progress?: (done: number) => void): Promise<BackendResult> {
  let passed = 0;
  const failed: FailedTest[] = [];
  const withFallback: string[] = [];
  const unstored: { name: string; detail: string }[] = [];
  for (const [i, t] of tests.entries()) {
    const r = await runNodeTest(backend.hearth, backend.device, new Uint8Array(readFileSync(t.model)), t.dataSets());
    if (r.status === 'passed') {
      passed++;
      if (r.fallbacks) withFallback.push(t.name);
    } else if (r.status === 'unstored') {
      unstored.push({ name: t.name, detail: r.detail ?? '' });
    } else {
      const allowed = expectedFailure(ALLOWED_FAILURES, t.name, backend.name)?.reason;
      const known = expectedFailure(KNOWN_FAILURES, t.name, backend.name)?.reason;
      failed.push({ name: t.name, detail: r.detail ?? '', ...(allowed ? { allowed } : known ? { known } : {}) });
    }
    progress?.(i + 1);
  }
  return { backend: backend.name, passed, failed, unstored, withFallback };
}

/** Classifies every test, then runs the mapped ones on each backend in turn. */
export async function runNodeTests(tests: readonly NodeTest[], backends: readonly NodeTestBackend[], progress?: (backend: string, done: number, of: number) => void): Promise<NodeTestReport> {
  const { mapped, unmapped } = await classifyNodeTests(tests);
  const results: BackendResult[] = [];
  for (const b of backends) results.push(await runOnBackend(mapped, b, (done) => progress?.(b.name, done, mapped.length)));
  return { total: tests.length, mapped: mapped.map((t) => t.name), unmapped, backends: results };
}

/** The op types with no mapping, by how many tests use them, most first. */
export function unmappedOpsByFrequency(report: NodeTestReport): [op: string, tests: number][] {
  const count = new Map<string, number>();
  for (const u of report.unmapped) for (const op of u.unmappedOps) count.set(op, (count.get(op) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
