import { HearthError, type DType } from '@hearth/core';
import type { CaseTier } from './cases/types.js';
import { MODEL_SETS, modelProfileName } from './models/model-sets.js';

/** A conformance profile: which dtypes its cases use, and whether every (op, dtype) in it is required. */
export interface Profile {
  /** The profile's name: `core`, `core-partial`, `float16`, `float64`, `large` or a model profile (`models-opset2-set1`). */
  readonly name: string;
  /** One line on what it covers. */
  readonly description: string;
  /** The dtypes this profile is about: each of its cases touches at least one. */
  readonly dtypes: readonly DType[];
  /** Dtypes its cases may touch besides (the core ones, for casts and promotions). */
  readonly alongside: readonly DType[];
  /** When true, an (op, dtype) the plugin does not declare fails certification; else it is reported only. */
  readonly requireAll: boolean;
  /** The size tier of its cases (`standard` when absent); life-cycle checks belong to every tier. */
  readonly tier?: CaseTier;
  /**
   * A partial profile certifies what the plugin declares and no more: the verdict covers exactly its
   * declared (op, dtype) pairs (at least one is needed), the rest running elsewhere through the fallback.
   */
  readonly partial?: boolean;
  /** A model profile: the model set whose reference models it runs whole (see `MODEL_SETS`), instead of op cases. */
  readonly models?: string;
}

/** The profiles of this suite version. */
export const PROFILES: readonly Profile[] = [
  { name: 'core', description: 'float32, int32 and bool: every operator of the opset the plugin declares (composites decomposed or fused), required of every backend.', dtypes: ['float32', 'int32', 'bool'], alongside: [], requireAll: true },
  {
    name: 'core-partial',
    description: "core's cases, certified for the (op, dtype) pairs the plugin declares; the rest run on another device through the fallback. A lesser mark than core.",
    dtypes: ['float32', 'int32', 'bool'],
    alongside: [],
    requireAll: false,
    partial: true,
  },
  { name: 'float16', description: 'float16 results, with float16-sized bounds; optional.', dtypes: ['float16'], alongside: ['float32', 'int32', 'bool'], requireAll: false },
  { name: 'float64', description: 'float64 results; optional.', dtypes: ['float64'], alongside: ['float32', 'int32', 'bool'], requireAll: false },
  {
    name: 'large',
    description: 'core dtypes at large sizes: reduction lengths past 65,536, reductions over more than 2^24 elements, softmax rows of millions; required.',
    dtypes: ['float32', 'int32', 'bool'],
    alongside: [],
    requireAll: true,
    tier: 'large',
  },
  ...MODEL_SETS.map(
    (set): Profile => ({
      name: modelProfileName(set),
      description: `Runs reference models whole on the device (set ${set.name}, opset ${set.opset}: ${set.models.map((m) => m.name).join(', ')}), each output within ${set.tolerance.atol} + ${set.tolerance.rtol}·|onnxruntime-node| per element.`,
      dtypes: ['float32'],
      alongside: [],
      requireAll: true,
      models: set.name,
    }),
  ),
];

/** A profile by name; throws E_ARG listing the profiles for an unknown one. */
export function getProfile(name: string): Profile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p) throw new HearthError('E_ARG', `Unknown profile "${name}". Profiles: ${PROFILES.map((x) => x.name).join(', ')}.`, { profile: name });
  return p;
}

/**
 * True when a case touching `dtypes`, of size tier `tier`, belongs to the profile (cases touching no dtype
 * belong to every profile of their tier).
 */
export function inProfile(p: Profile, dtypes: readonly DType[], tier: CaseTier = 'standard'): boolean {
  if ((p.tier ?? 'standard') !== tier) return false;
  if (dtypes.length === 0) return true;
  const allowed = new Set([...p.dtypes, ...p.alongside]);
  return dtypes.every((d) => allowed.has(d)) && dtypes.some((d) => p.dtypes.includes(d));
}
