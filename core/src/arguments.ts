import { HearthError } from './errors.js';

/**
 * Checks of the arguments users pass to the runtime's functions and tensor methods. Anything odd (a
 * number where a list belongs, an option no function knows) is an `E_ARG` that says what was expected:
 * dropping it silently could give a wrong answer (`x.sum({ axis: 1 })` summing everything).
 */

/** What a value is, for messages. */
export function describeArg(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'number' || typeof x === 'boolean') return `${typeof x} ${String(x)}`;
  if (typeof x !== 'object') return typeof x;
  try {
    if (typeof (x as { then?: unknown }).then === 'function') return 'a Promise (add `await` where it was made, e.g. `await t.to("cpu")`)';
  } catch {
    // a hostile object (a Proxy whose get throws) is just an object here
  }
  return 'an object';
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/**
 * Checks an options object: undefined, or an object whose keys are all in `known`. Returns it (or `{}`).
 * `where` names the call in messages, e.g. `"sum"`.
 */
export function checkOptions<T extends object>(where: string, o: T | undefined, known: readonly string[]): T {
  if (o === undefined) return {} as T;
  if (!isPlainObject(o)) throw new HearthError('E_ARG', `${where}: options must be an object with ${known.join(', ')}; got ${describeArg(o)}.`, { where });
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) {
      const near = known.find((n) => n.startsWith(k) || k.startsWith(n));
      throw new HearthError('E_ARG', `${where}: unknown option "${k}"${near ? ` (did you mean "${near}"?)` : ''}; it takes ${known.join(', ')}.`, { where, option: k });
    }
  }
  return o;
}

/** Throws `E_ARG` unless `n` arguments are at most `max`. */
export function checkArgCount(where: string, n: number, max: number): void {
  if (n > max) throw new HearthError('E_ARG', `${where} takes at most ${max} argument(s) after the tensor, got ${n}; see its signature.`, { where });
}

/** Throws `E_ARG` unless `shape` is an array (the value is checked further by the operator). */
export function checkShapeArg(where: string, shape: unknown): readonly number[] {
  if (!Array.isArray(shape)) throw new HearthError('E_ARG', `${where}: the shape must be an array of integers, e.g. [2, 3] (or [] for a scalar); got ${describeArg(shape)}.`, { where });
  return shape as readonly number[];
}

function checkString(where: string, name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'string') throw new HearthError('E_ARG', `${where}: ${name} must be a string, got ${describeArg(v)}.`, { where, option: name });
}

/** Checks the options of `hearth.tensor(data, options)`. */
export function checkTensorOptions(o: unknown): void {
  const opts = checkOptions('tensor', o as object | undefined, ['dtype', 'shape', 'device']) as Record<string, unknown>;
  checkString('tensor', 'device', opts['device']);
  checkString('tensor', 'dtype', opts['dtype']);
  if (opts['shape'] !== undefined) checkShapeArg('tensor', opts['shape']);
}

/** Checks the options of creation functions (`zeros`, `full`, `arange`...). */
export function checkCreateOptions(where: string, o: unknown): { dtype?: string; device?: string } {
  const opts = checkOptions(where, o as object | undefined, ['dtype', 'device']) as Record<string, unknown>;
  checkString(where, 'device', opts['device']);
  checkString(where, 'dtype', opts['dtype']);
  return opts;
}

/** Checks `hearth.op(name, inputs, attrs, options)`. */
export function checkOpCall(name: unknown, inputs: unknown, attrs: unknown, options: unknown): void {
  if (typeof name !== 'string') throw new HearthError('E_ARG', `op(): the operator name must be a string such as "add", got ${describeArg(name)}.`);
  if (!Array.isArray(inputs)) throw new HearthError('E_ARG', `op("${name}"): inputs must be an array of tensors, e.g. op("${name}", [a, b]); got ${describeArg(inputs)}.`, { op: name });
  if (attrs !== undefined && !isPlainObject(attrs)) throw new HearthError('E_ARG', `op("${name}"): attributes must be an object, got ${describeArg(attrs)}.`, { op: name });
  const o = checkOptions(`op("${name}")`, options as object | undefined, ['device']) as Record<string, unknown>;
  checkString(`op("${name}")`, 'device', o['device']);
}

const HEARTH_OPTIONS = ['plugins', 'backends', 'exclusive', 'fallback', 'backendOptions', 'trackStacks', 'allowOverrides', 'timeouts', 'isolate', 'verify'];

/** Checks `createHearth(options)`; returns the options. */
export function checkHearthOptions<T extends object>(o: T | undefined): T {
  const opts = checkOptions('createHearth', o, HEARTH_OPTIONS) as Record<string, unknown>;
  const fail = (what: string, got: unknown) => {
    throw new HearthError('E_ARG', `createHearth: ${what}; got ${describeArg(got)}.`);
  };
  if (opts['plugins'] !== undefined && !Array.isArray(opts['plugins'])) fail('plugins must be an array of plugins, e.g. { plugins: [cpuPlugin] }', opts['plugins']);
  if (opts['exclusive'] !== undefined && typeof opts['exclusive'] !== 'boolean') fail('exclusive must be true or false', opts['exclusive']);
  const backends = opts['backends'];
  if (backends !== undefined && (!Array.isArray(backends) || !backends.every((b) => typeof b === 'string' && b.trim() !== ''))) {
    fail('backends must be an array of device type names, e.g. { backends: ["webgpu", "cpu"] }', backends);
  }
  const fb = opts['fallback'];
  if (fb !== undefined && typeof fb !== 'string') checkOptions('createHearth: fallback', fb as object, ['policy', 'device']);
  if (opts['backendOptions'] !== undefined && !isPlainObject(opts['backendOptions'])) fail('backendOptions must be an object keyed by device type', opts['backendOptions']);
  if (opts['trackStacks'] !== undefined && typeof opts['trackStacks'] !== 'boolean') fail('trackStacks must be true or false', opts['trackStacks']);
  const ao = opts['allowOverrides'];
  if (ao !== undefined && typeof ao !== 'boolean' && !(Array.isArray(ao) && ao.every((x) => typeof x === 'string'))) fail('allowOverrides must be true, false or an array of plugin names', ao);
  const t = opts['timeouts'];
  if (t !== undefined) {
    const to = checkOptions('createHearth: timeouts', t as object, ['register', 'create', 'call']) as Record<string, unknown>;
    for (const k of ['register', 'create', 'call']) if (to[k] !== undefined && !(typeof to[k] === 'number' && to[k] > 0)) fail(`timeouts.${k} must be a number of milliseconds > 0`, to[k]);
  }
  const iso = opts['isolate'];
  if (iso !== undefined && typeof iso !== 'boolean' && !(Array.isArray(iso) && iso.every((x) => typeof x === 'string'))) fail('isolate must be true, false or an array of plugin names, e.g. { isolate: ["@acme/npu"] }', iso);
  const v = opts['verify'];
  if (v !== undefined && typeof v !== 'boolean') {
    const vo = checkOptions('createHearth: verify', v as object, ['rate', 'reference', 'device', 'tolerance']) as Record<string, unknown>;
    if (vo['rate'] !== undefined && !(typeof vo['rate'] === 'number' && vo['rate'] >= 0 && vo['rate'] <= 1)) fail('verify.rate must be a number in [0, 1], e.g. 0.001', vo['rate']);
    if (vo['tolerance'] !== undefined && !(typeof vo['tolerance'] === 'number' && vo['tolerance'] >= 0)) fail('verify.tolerance must be a number >= 0', vo['tolerance']);
    const ref = vo['reference'] as { manifest?: unknown; register?: unknown } | undefined;
    if (ref !== undefined && (typeof ref !== 'object' || ref === null || typeof ref.register !== 'function' || typeof ref.manifest !== 'object')) fail('verify.reference must be a plugin (an object with a manifest and register(host))', ref);
    checkString('createHearth: verify', 'device', vo['device']);
  }
  return (o ?? {}) as T;
}
