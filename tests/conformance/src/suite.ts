import { DTYPES, OPSET, isFloat, type DType, type OpSchema } from '@hearth/core';
import { caseId } from './ids.js';
import { hashSeed } from './numeric/rng.js';
import { SUITE_SEED } from './version.js';
import { dtypesOf } from './oracle/index.js';
import { ELEMENTWISE_SPECS, WHERE_SPEC, CAST_SPEC } from './cases/elementwise.js';
import { REDUCE_SPECS } from './cases/reduce.js';
import { LINALG_SPECS } from './cases/linalg.js';
import { MOVEMENT_SPECS, CREATION_SPECS } from './cases/movement.js';
import { SCAN_SPECS } from './cases/scan.js';
import { INDEXING_SPECS } from './cases/indexing.js';
import { SAMPLING_SPECS } from './cases/sampling.js';
import { RANDOM_SPECS } from './cases/random.js';
import { COMPOSITE_SPECS } from './cases/composites.js';
import { schemaErrors } from './cases/errors.js';
import { threadArbitrary } from './cases/thread-properties.js';
import { SpecContext, type Draft, type OpSpec } from './cases/spec.js';
import { getProfile, inProfile, type Profile } from './profiles.js';
import type { CaseTier, LifecycleCase, ModelCase, OpCase, PropertyCase, SuiteCase } from './cases/types.js';
import { getModelSet } from './models/model-sets.js';

/** How many random inputs each property test tries. */
export const PROPERTY_RUNS = 100;

/** How many random inputs each `property-threads` test of the `large` tier tries (each is 2^18 and more elements). */
export const THREAD_PROPERTY_RUNS = 2;

const FAMILIES: readonly Record<string, OpSpec>[] = [
  ELEMENTWISE_SPECS,
  { where: WHERE_SPEC, cast: CAST_SPEC },
  REDUCE_SPECS,
  LINALG_SPECS,
  MOVEMENT_SPECS,
  CREATION_SPECS,
  SCAN_SPECS,
  INDEXING_SPECS,
  SAMPLING_SPECS,
  RANDOM_SPECS,
  COMPOSITE_SPECS,
];

/**
 * The spec of every operator of the core's opset, checked against the opset: each op has exactly one spec and no spec
 * names an op the opset lacks. A new op without a spec fails here, before any run.
 */
export function opSpecs(): Map<string, OpSpec> {
  const specs = new Map<string, OpSpec>();
  for (const family of FAMILIES) {
    for (const [name, spec] of Object.entries(family)) {
      if (specs.has(name)) throw new Error(`conformance: op "${name}" has two specs`);
      specs.set(name, spec);
    }
  }
  const names = new Set(OPSET.map((o) => o.name));
  const missing = [...names].filter((n) => !specs.has(n));
  const extra = [...specs.keys()].filter((n) => !names.has(n));
  if (missing.length || extra.length) throw new Error(`conformance: specs out of step with the opset (missing: ${missing.join(', ') || 'none'}; unknown: ${extra.join(', ') || 'none'})`);
  return specs;
}

/** The compute dtypes an op has kernels for, by its schema's dtype class. */
export function computeDtypes(schema: OpSchema): DType[] {
  const cls = schema.computeDtypes;
  return DTYPES.filter((d) => cls === 'any' || (cls === 'numeric' && d !== 'bool') || (cls === 'float' && isFloat(d)) || cls === d);
}

/** The compute dtype an op's error cases are filed under: float32 where it has one. */
function errorHost(schema: OpSchema): DType {
  const ds = computeDtypes(schema);
  return ds.includes('float32') ? 'float32' : ds[0]!;
}

const unique = (ds: readonly DType[]) => DTYPES.filter((d) => ds.includes(d));

function toCase(schema: OpSchema, dtype: DType, d: Draft): OpCase {
  const id = caseId(['op', schema.name], [['dtype', dtype], ['case', d.name]]);
  const calls = [{ inputs: d.inputs, attrs: d.attrs ?? {} }, ...(d.then ?? [])];
  const touched: DType[] = [dtype, ...calls.flatMap((c) => c.inputs.map((t) => t.dtype))];
  if (d.kind !== 'error') {
    for (const call of calls) {
      const { compute, out } = dtypesOf(schema.name, call.inputs, call.attrs);
      if (compute !== dtype) throw new Error(`conformance: ${id} computes in ${compute}, not ${dtype}`);
      touched.push(out);
    }
  }
  return {
    id, kind: d.kind, op: schema.name, dtype, name: d.name, inputs: d.inputs, attrs: d.attrs ?? {}, dtypes: unique(touched),
    ...(d.error ? { error: d.error } : {}), ...(d.then?.length ? { then: d.then } : {}), ...(d.tier && d.tier !== 'standard' ? { tier: d.tier } : {}),
  };
}

/** The cast targets a property of `cast` from `dtype` may use: the core dtypes, and `dtype` itself (so it stays in one profile). */
export function castTargets(dtype: DType): DType[] {
  const core = getProfile('core').dtypes;
  return core.includes(dtype) ? [...core] : [...core, dtype];
}

/** The dtypes a property of `op` in `dtype` touches. */
function propertyDtypes(schema: OpSchema, dtype: DType): DType[] {
  const extra: DType[] = schema.name === 'gather' || schema.name === 'gather_elements' ? ['int32'] : schema.name === 'where' ? ['bool'] : schema.name === 'cast' ? castTargets(dtype) : schema.output === 'bool' || schema.output === 'int32' ? [schema.output] : [];
  return unique([dtype, ...extra]);
}

function lifecycleCases(): LifecycleCase[] {
  const out: LifecycleCase[] = [{ id: caseId(['lifecycle', 'init'], [['case', 'ready']]), kind: 'lifecycle', check: 'init', dtypes: [] }];
  for (const dtype of DTYPES) {
    out.push({ id: caseId(['lifecycle', 'readback'], [['dtype', dtype], ['case', 'async']]), kind: 'lifecycle', check: 'readback', dtype, dtypes: [dtype] });
    out.push({ id: caseId(['lifecycle', 'supports'], [['dtype', dtype], ['case', 'agrees-with-kernels']]), kind: 'lifecycle', check: 'supports', dtype, dtypes: [dtype] });
  }
  return out;
}

/** Every case of the suite, all profiles, in a fixed order: lifecycle first, then per op (opset order) and dtype. */
export function allCases(): SuiteCase[] {
  const specs = opSpecs();
  const out: SuiteCase[] = lifecycleCases();
  const seen = new Set<string>(out.map((c) => c.id));
  for (const schema of OPSET) {
    const spec = specs.get(schema.name)!;
    for (const dtype of computeDtypes(schema)) {
      const ctx = new SpecContext(schema.name, dtype);
      const drafts = spec.cases(ctx);
      if (dtype === errorHost(schema)) drafts.push(...schemaErrors(schema, ctx, drafts[0]!), ...(spec.errors?.(ctx) ?? []));
      const cases: SuiteCase[] = drafts.map((d) => toCase(schema, dtype, d));
      const id = caseId(['op', schema.name], [['dtype', dtype], ['case', 'property']]);
      const dtypes = propertyDtypes(schema, dtype);
      cases.push({ id, kind: 'property', op: schema.name, dtype, name: 'property', seed: hashSeed(SUITE_SEED, id), runs: PROPERTY_RUNS, dtypes } satisfies PropertyCase);
      if (dtype === 'float32' && threadArbitrary(schema.name, dtype)) {
        const tid = caseId(['op', schema.name], [['dtype', dtype], ['case', 'property-threads']]);
        cases.push({ id: tid, kind: 'property', op: schema.name, dtype, name: 'property-threads', seed: hashSeed(SUITE_SEED, tid), runs: THREAD_PROPERTY_RUNS, dtypes, regime: 'threads', tier: 'large' } satisfies PropertyCase);
      }
      for (const c of cases) {
        if (seen.has(c.id)) throw new Error(`conformance: duplicate case ID ${c.id}`);
        seen.add(c.id);
        out.push(c);
      }
    }
  }
  out.push({ id: caseId(['lifecycle', 'leaks'], [['case', 'end-of-run']]), kind: 'lifecycle', check: 'leaks', dtypes: [] });
  return out;
}

/** A case's size tier (`standard` unless it says otherwise). */
export function tierOf(c: SuiteCase): CaseTier {
  return ('tier' in c && c.tier) || 'standard';
}

/** The cases of one profile, in suite order. */
export function profileCases(profile: Profile | string): SuiteCase[] {
  const p = typeof profile === 'string' ? getProfile(profile) : profile;
  if (p.models !== undefined) return modelCases(p.models);
  return allCases().filter((c) => inProfile(p, c.dtypes, c.kind === 'lifecycle' ? p.tier : tierOf(c)));
}

/** The cases of a model set: one per reference model, in the set's order. */
export function modelCases(set: string): ModelCase[] {
  return getModelSet(set).models.map((m) => ({ id: caseId(['model', m.name], [['set', set]]), kind: 'model', model: m.name, set, dtype: 'float32', dtypes: ['float32'] }));
}
