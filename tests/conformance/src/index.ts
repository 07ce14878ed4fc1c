/**
 * @hearth/conformance: the contract every Hearth backend plugin must pass. Per-op specs derived from the
 * opset (sample, reference, error and property cases), an independent float64 oracle, accuracy classes with
 * per-dtype bounds, profiles, hierarchical case IDs with queries, the crash-isolating runner, and reports
 * (results.json with a published JSON Schema, JUnit XML, Markdown and HTML).
 *
 * @packageDocumentation
 */
export { SUITE_VERSION, SUITE_SEED } from './version.js';
export { PROFILES, getProfile, inProfile, type Profile } from './profiles.js';
export { allCases, profileCases, modelCases, opSpecs, computeDtypes, castTargets, tierOf, PROPERTY_RUNS, THREAD_PROPERTY_RUNS } from './suite.js';
export type { TensorInput, CaseKind, CaseTier, FollowUpCall, ExpectedError, OpCase, PropertyCase, LifecycleCase, ModelCase, SuiteCase } from './cases/types.js';
export type { OpSpec, Draft } from './cases/spec.js';
export { SpecContext } from './cases/spec.js';
export { caseId, parseCaseId, parseQuery, matchesQuery, parseShard, inShard, type CaseIdParts, type Query, type Shard } from './ids.js';
export { ACCURACY, type Accuracy, type AccuracyClass, type Bound } from './accuracy.js';
export { evaluate, dtypesOf, ORACLES, type CallDtypes } from './oracle/index.js';
export type { Expected, OracleFn, OracleTensor } from './oracle/types.js';
export { compare, type Comparison, type SpecialMismatches, type WorstElement } from './numeric/compare.js';
export { roundFloat16, roundTo, ulpOf, unitRoundoff } from './numeric/float.js';
export { FAILING, type CaseResult, type CaseStatus, type AccuracyRecord, type FailureDetail } from './results.js';
export { runConformance, selectCases, type RunOptions, type RunResult, type Selection } from './runner/run.js';
export { Rng, hashSeed } from './numeric/rng.js';
export { drawFreshSeed, freshTwin, withFreshDraws, FRESH_PREFIX } from './fresh.js';
export { readRepro, reproJson, reproCases, type Repro, type ReproCall } from './fuzz/repro.js';
export { fuzzPlugins, type FuzzOptions, type FuzzResult, type Disagreement } from './fuzz/fuzz.js';
export type { Outcome } from './exec/run-case.js';
export { loadPlugin } from './runner/load-plugin.js';
export { caseTimeoutMs, ELEMENTS_PER_TIMEOUT } from './runner/timeouts.js';
export { loadExpectations, ExpectationSet, type Expectation, type ExpectationsFile } from './expectations.js';
export { writeReports, resultsJson, resultsJsonPieces, externalizeInputs, REPORT_FILES, type ExternalizedRun, type SavedInputs, type WrittenReport } from './report/write.js';
export { jsonPieces, writePieces, writeJsonFile } from './report/json-stream.js';
export { junitXml } from './report/junit.js';
export { validateResults } from './report/validate.js';
export { markdownSummary } from './report/markdown.js';
export { htmlReport, backendsHtml, opBackendCells, type BackendColumn } from './report/html.js';
export { describeFailure, accuracyLine, modelRows, rerunCommand, matrix, cellStatus, ulpHistogram, ULP_BUCKETS, num, specialNumbers, type MatrixCell, type ModelRow, type UlpBucket } from './report/format.js';
export { missingPairs, missingBlock } from './report/missing.js';
export { ProgressBar } from './progress.js';

/** The file URL of the published JSON Schema that results.json validates against. */
export const RESULTS_SCHEMA_URL: URL = new URL('../schema/results.schema.json', import.meta.url);

/** The file URL of the published JSON Schema of reproduction files (`hearth fuzz`, `hearth conformance --repro`). */
export const REPRO_SCHEMA_URL: URL = new URL('../schema/repro.schema.json', import.meta.url);

/** The file URL of the published JSON Schema of expectations files. */
export const EXPECTATIONS_SCHEMA_URL: URL = new URL('../schema/expectations.schema.json', import.meta.url);
export { MODEL_SETS, getModelSet, modelProfileName, type ModelSet } from './models/model-sets.js';
export { MODELS_DIR, modelBytes, readReference, referenceJson, type ModelReference, type ReferenceTensor } from './models/reference.js';
export type { ModelRunner } from './models/run-model.js';
