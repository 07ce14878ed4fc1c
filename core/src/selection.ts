/** Where the default backend list came from: `createHearth({ backends })`, `HEARTH_BACKENDS`, or plugin priorities. */
export type BackendChoice = 'explicit' | 'env' | 'priority';

/** The default device and why. */
export interface DefaultChoice {
  /** The device chosen, or undefined when none is ready. */
  readonly device: string | undefined;
  /** Why, in a sentence (the order's source, software devices passed over). */
  readonly reason: string;
}

/**
 * Picks the default device among the first device of each ready backend, in the backend order. The first
 * wins, except that under plugin priorities a software-emulated device (a GPU API on a CPU rasteriser,
 * such as WebGPU on llvmpipe or SwiftShader) is passed over while a hardware or CPU device is ready: it is
 * slower than the CPU it runs on. A list the user gave (explicitly or in `HEARTH_BACKENDS`) is followed as is.
 */
export function pickDefault(ready: readonly { readonly name: string; readonly software: boolean }[], source: BackendChoice): DefaultChoice {
  const hardware = source === 'priority' ? ready.find((d) => !d.software) : undefined;
  const chosen = hardware ?? ready[0];
  if (!chosen) return { device: undefined, reason: 'no device is ready' };
  const skipped = ready.slice(0, ready.indexOf(chosen)).map((d) => d.name);
  const from = source === 'explicit' ? 'createHearth({ backends })' : source === 'env' ? 'HEARTH_BACKENDS' : 'plugin priorities';
  const passed = skipped.length
    ? `; ${skipped.join(', ')} ${skipped.length > 1 ? 'are' : 'is'} software-emulated and slower than ${chosen.name}, so not chosen by default (name it in HEARTH_BACKENDS or createHearth({ backends }) to use it)`
    : '';
  return { device: chosen.name, reason: `${chosen.name}: first ready device in the order of ${from}${passed}.` };
}
