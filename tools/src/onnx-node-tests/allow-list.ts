/** A mapped node test that may fail, why, and on which backends (all when left out). */
export interface ExpectedFailure {
  readonly reason: string;
  readonly backends?: readonly string[];
}

/**
 * Mapped node tests whose expected outputs differ from Hearth's by Hearth's documented semantics. A test
 * listed here that fails is counted as allowed, not as a bug.
 */
export const ALLOWED_FAILURES: Readonly<Record<string, ExpectedFailure>> = {
  test_resize_downsample_scales_linear_align_corners: {
    reason:
      "align_corners with scales: Hearth's resize, like ONNX Runtime, divides by the output size less one (2 - 1); ONNX 1.12's reference by the unrounded input x scale less one (2.4 - 1). They agree whenever input x scale is whole (every other Resize test)",
  },
  test_training_dropout: { reason: 'training_mode = true with ratio 0.5 draws a random mask: Hearth runs Dropout for inference and refuses this with E_UNSUPPORTED' },
  test_training_dropout_default: { reason: 'training_mode = true with the default ratio draws a random mask: Hearth runs Dropout for inference and refuses this with E_UNSUPPORTED' },
  test_training_dropout_mask: { reason: 'training_mode = true with ratio 0.75 draws a random mask: Hearth runs Dropout for inference and refuses this with E_UNSUPPORTED' },
  test_training_dropout_default_mask: { reason: 'training_mode = true with the default ratio draws a random mask: Hearth runs Dropout for inference and refuses this with E_UNSUPPORTED' },
};

/**
 * Mapped node tests that fail for a gap or defect of Hearth not fixed yet, with the reason. They are
 * failures (counted so); the CI test checks that the list is exact, so a fix removes its entry.
 */
export const KNOWN_FAILURES: Readonly<Record<string, ExpectedFailure>> = {
  test_convtranspose_3d: {
    reason: "Hearth's opset has conv_transpose2d (1-D runs as 2-D); a 3-D input is refused at run (E_UNSUPPORTED), which the checker cannot see from the op alone",
  },
};

/** The entry of `list` for a test on a backend, or undefined. */
export function expectedFailure(list: Readonly<Record<string, ExpectedFailure>>, test: string, backend: string): ExpectedFailure | undefined {
  const entry = Object.prototype.hasOwnProperty.call(list, test) ? list[test] : undefined;
  return entry && (!entry.backends || entry.backends.includes(backend)) ? entry : undefined;
}
