/** The version of the core API that plugins compile against (`major.minor`). */
export const CORE_API_VERSION = '1.0.0';
/** The version of the operator set this core defines (v1 ops keep their ids; `opsetOps(v)` lists each version). */
export const OPSET_VERSION = 2;
