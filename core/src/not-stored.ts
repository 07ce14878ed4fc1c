import type { DType } from './dtype.js';
import type { Device } from './device.js';
import { HearthError } from './errors.js';

/** The two ways out of a dtype a device can't hold: go where it is stored, or change the dtype. */
export interface NotStoredAdvice {
  /** What to do to use `device`, a device of the same runtime that stores the dtype. */
  readonly there: (device: string) => string;
  /** What to do to stay on the device that lacks it. */
  readonly here: string;
}

/**
 * The `E_DTYPE` for a device asked to hold a dtype it does not store. It names the devices of the same
 * runtime that do store it (wasm:0 has no float64, cpu:0 beside it has), because that is where the user's
 * tensor can live; a message listing only what the device lacks leaves them to guess.
 */
export function notStoredError(device: Device, dtype: DType, devices: readonly Device[], advice: NotStoredAdvice): HearthError {
  const others = devices.filter((d) => d !== device && d.has(dtype)).map((d) => d.name);
  const lacks = `${device.name} does not store ${dtype} (it stores ${device.backend.dtypes.join(', ')})`;
  const where = others.length
    ? `${others.join(', ')} in this runtime ${others.length === 1 ? 'stores' : 'store'} ${dtype}: ${advice.there(others[0]!)}; or ${advice.here}`
    : `no device of this runtime stores ${dtype}: ${advice.here}`;
  return new HearthError('E_DTYPE', `${lacks}; ${where}.`, { device: device.name, dtype, storedOn: others });
}
