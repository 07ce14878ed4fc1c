import type { ModelRunner } from '@hearth/conformance';

/**
 * The conformance suite's model runner, on @hearth/onnx: each model is loaded on the runtime's default
 * device with the graph optimisations a user gets by default, run once, and freed. The suite itself parses
 * no ONNX (it sits below @hearth/onnx), so every command that runs a model profile passes this. The ONNX
 * parser is imported on the first model, so commands that run none don't load it.
 */
export const onnxModelRunner: ModelRunner = {
  async run(hearth, model, feeds) {
    const { loadOnnx } = await import('@hearth/onnx');
    const m = await loadOnnx(model, { hearth });
    try {
      return await m.run(feeds);
    } finally {
      m.dispose();
    }
  },
};
