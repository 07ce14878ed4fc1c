/**
 * Bounds on what the core accepts from a plugin: counts no real hardware reaches, and string lengths no
 * honest name needs. A plugin past them is refused with a coded error instead of making the runtime loop,
 * allocate or print without end.
 */

/** The most devices one backend factory may give (a library claiming 2^31 - 1 devices is refused). */
export const MAX_DEVICES = 64;

/** The longest name, vendor, version or info string taken from a plugin; longer ones are refused. */
export const MAX_PLUGIN_STRING = 256;

/** The longest error message taken from a plugin's isolated process; longer ones are cut. */
export const MAX_PLUGIN_MESSAGE = 4096;
