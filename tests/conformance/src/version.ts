/**
 * The version of the conformance suite. A certificate names it with the core API and opset versions. Any
 * change to the case list, a bound, a profile or the property draws is a new suite version. 1.1.0: the
 * case classes of the README's "Case classes", 100 property draws, the `large` profile, tighter tanh,
 * sigmoid and gelu floors. 1.2.0: properties and cases built per regime (README: "Regimes"), exact-sum
 * bounds, the `large` tier on inputs with known answers, timeouts scaled by a case's size. 2.0.0: opset 2
 * (its primitives, and its composites checked against their decompositions); a verdict covers the opset
 * the plugin declares. 2.1.0: the model profile `models-opset2-set1` (reference models run whole, against
 * onnxruntime-node's outputs); the op profiles' cases are 2.0.0's.
 */
export const SUITE_VERSION = '2.1.0';

/**
 * The suite's fixed seed: every random input and every property test derives its seed from this and the
 * case ID, so the same suite version always runs the same inputs. Changing it is a new suite version.
 */
export const SUITE_SEED = 0x4e47_0100;
