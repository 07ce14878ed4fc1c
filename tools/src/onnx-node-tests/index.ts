export { DEFAULT_NODE_TEST_DIR, findNodeTests, type NodeTest, type NodeTestDataSet } from './data.js';
export { classify, type Mapping, type UnmappedReason } from './classify.js';
export { TOLERANCES, compareTensor, type ActualTensor, type Tolerance } from './compare.js';
export { runNodeTest, type NodeTestOutcome } from './run-test.js';
export { ALLOWED_FAILURES, KNOWN_FAILURES, expectedFailure, type ExpectedFailure } from './allow-list.js';
export {
  classifyNodeTests,
  runNodeTests,
  runOnBackend,
  unmappedOpsByFrequency,
  type BackendResult,
  type FailedTest,
  type NodeTestBackend,
  type NodeTestReport,
  type UnmappedTest,
} from './suite.js';
