/**
 * @hearth/cli: the `hearth` command line, and the functions behind it for use from scripts.
 *
 * @packageDocumentation
 */
export { buildProgram } from './program.js';
export { importPlugin, importInstalledPlugins, specOf, type PluginLoadFailure } from './plugins.js';
export { openRuntime, type OpenedRuntime } from './runtime.js';
export { listBackends, type BackendRow } from './commands/backends.js';
export { coverage, type Coverage } from './commands/ops.js';
export { explainCall, parseShapes } from './commands/explain.js';
export { formatTable } from './table.js';
export * from './onnx-node-tests/index.js';
export { nodeTestsReport, type NodeTestsCliOptions } from './commands/onnx-node-tests.js';
