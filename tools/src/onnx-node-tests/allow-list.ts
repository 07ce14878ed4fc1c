/** A mapped node test that may fail, why, and on which backends (all when left out). */
export interface ExpectedFailure {
  readonly reason: string;
  readonly backends?: readonly string[];
}

/**
 * Mapped node tests whose expected outputs differ from Hearth's by Hearth's documented semantics. A test
 * listed here that fails is counted as allowed, not as a bug.
 */
export const ALLOWED_FAILURES: Readonly<Record<string, ExpectedFailure>> = {};

/**
 * Mapped node tests that fail for a gap or defect of Hearth not fixed yet, with the reason. They are
 * failures (counted so); the CI test checks that the list is exact, so a fix removes its entry.
 */
export const KNOWN_FAILURES: Readonly<Record<string, ExpectedFailure>> = {
  test_averagepool_2d_pads: { reason: 'pads (2) beyond half the kernel (3): the core pools refuse them (E_ATTR)' },
  test_averagepool_2d_pads_count_include_pad: { reason: 'pads (2) beyond half the kernel (3): the core pools refuse them (E_ATTR)' },
  test_maxpool_2d_pads: { reason: 'pads (2) beyond half the kernel (3): the core pools refuse them (E_ATTR)' },
  test_averagepool_2d_same_lower: { reason: 'uneven SAME pads with count_include_pad = 0 are refused (E_UNSUPPORTED)' },
  test_averagepool_2d_same_upper: { reason: 'uneven SAME pads with count_include_pad = 0 are refused (E_UNSUPPORTED)' },
  test_averagepool_3d_default: { reason: 'Hearth pools 1-D and 2-D inputs; a 3-D one is refused at run (E_UNSUPPORTED)' },
  test_maxpool_3d_default: { reason: 'Hearth pools 1-D and 2-D inputs; a 3-D one is refused at run (E_UNSUPPORTED)' },
  test_convtranspose_1d: { reason: 'Hearth has conv_transpose2d only; a 1-D ConvTranspose is refused at run (E_UNSUPPORTED)' },
  test_convtranspose_3d: { reason: 'Hearth has conv_transpose2d only; a 3-D ConvTranspose is refused at run (E_UNSUPPORTED)' },
  test_pow_types_int32_float32: { reason: "Pow's output takes the base's type (int32) in ONNX; the mapping returns float32" },
  test_pow_types_int64_float32: { reason: "Pow's output takes the base's type (int64) in ONNX; the mapping returns float32" },
  test_training_dropout: { reason: 'Dropout with training_mode true masks at random; the mapping runs it as the identity' },
  test_training_dropout_default: { reason: 'Dropout with training_mode true masks at random; the mapping runs it as the identity' },
};

/** The entry of `list` for a test on a backend, or undefined. */
export function expectedFailure(list: Readonly<Record<string, ExpectedFailure>>, test: string, backend: string): ExpectedFailure | undefined {
  const entry = Object.prototype.hasOwnProperty.call(list, test) ? list[test] : undefined;
  return entry && (!entry.backends || entry.backends.includes(backend)) ? entry : undefined;
}
