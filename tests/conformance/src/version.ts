/** The version of the conformance suite. A certificate names it with the core API and opset versions. */
export const SUITE_VERSION = '1.0.0';

/**
 * The suite's fixed seed: every random input and every property test derives its seed from this and the
 * case ID, so the same suite version always runs the same inputs. Changing it is a new suite version.
 */
export const SUITE_SEED = 0x4e47_0100;
