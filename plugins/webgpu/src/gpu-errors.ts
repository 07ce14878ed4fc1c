import { describeError, HearthError } from '@hearth/core';

/** A lost device as a HearthError carrying the GPU's own message. */
export function deviceLostError(info: { reason?: string; message?: string } | undefined): HearthError {
  return new HearthError(
    'E_DEVICE_LOST',
    `The WebGPU device was lost (${info?.reason ?? 'unknown'}): ${info?.message || 'no message from the GPU'}. Tensors on it are gone; create a new runtime to continue.`,
    { reason: info?.reason, gpuMessage: info?.message },
  );
}

/** An error a GPU error scope caught, as a HearthError (validation, out-of-memory or internal). */
export function gpuError(e: GPUError): HearthError {
  const kind = e.constructor?.name ?? 'GPUError';
  if (/OutOfMemory/.test(kind)) {
    return new HearthError('E_OUT_OF_MEMORY', `The GPU ran out of memory: ${describeError(e)}. Dispose unused tensors or use smaller ones.`, { gpuMessage: e.message });
  }
  return new HearthError(
    'E_GPU_VALIDATION',
    `The GPU rejected work (${kind}): ${describeError(e)}. Results computed since the last read are unreliable; this is likely a plugin bug, report it with this message.`,
    { gpuMessage: e.message, kind },
  );
}
