import { HearthError } from '../errors.js';
import { DTYPES, isDType, type DType } from '../dtype.js';
import { CORE_API_VERSION, OPSET_VERSION } from '../version.js';
import { OPSET } from '../opset/index.js';
import { MAX_DEVICES, MAX_PLUGIN_STRING } from '../limits.js';
import type { DeviceInfo } from '../backend.js';
import type { BackendOptions, HearthPlugin, PluginHost, PluginManifest, PluginOrigin } from '../plugin.js';
import { IsolatedProcess } from './process.js';
import { IsolatedBackend, type IsolatedDeviceFacts } from './isolated-backend.js';
import type { LoadReply, RemoteDevice } from './protocol.js';

/** Time limits of an isolated plugin, in ms. */
export interface IsolationTimeouts {
  /** Its `register` (importing it included). */
  readonly register: number;
  /** A backend's `create`. */
  readonly create: number;
  /** Every other call: allocate, write, free, launch, read, dispose. */
  readonly call: number;
}

// The opset as data: schemas' functions (meta, attribute parsers) do not cross a process boundary.
let opsAsData: readonly unknown[] | undefined;

/**
 * A plugin loaded in its own process: to the runtime it is a plugin like any other (same manifest, its
 * backends and kernels registered through the same host, so every check of the loader applies), but each
 * of its backends is an {@link IsolatedBackend} and each kernel a launch message. What the process
 * reports is bounded and validated before the host sees it.
 */
export class IsolatedPlugin implements HearthPlugin {
  readonly manifest: PluginManifest;
  readonly #origin: PluginOrigin | undefined;
  readonly #process: IsolatedProcess;
  readonly #timeouts: IsolationTimeouts;
  #generation = 0;
  #kernelKeys = '';
  // Per device type: the options it was created with and its devices, to make them again on restart.
  readonly #created = new Map<string, { options: BackendOptions; backends: IsolatedBackend[] }>();
  #restarting: Promise<void> | undefined;

  constructor(manifest: PluginManifest, origin: PluginOrigin | undefined, timeouts: IsolationTimeouts) {
    this.manifest = manifest;
    this.#origin = origin;
    this.#timeouts = timeouts;
    this.#process = new IsolatedProcess(manifest.name);
  }

  async register(host: PluginHost): Promise<void> {
    const reply = await this.#start();
    this.#kernelKeys = kernelKeys(reply);
    for (const type of reply.backends) host.registerBackend({ type, create: (options) => this.#create(type, options), ...(reply.lazy.includes(type) ? { lazy: true } : {}) });
    reply.kernels.forEach((k, index) => {
      const what = `${k.op}(${k.dtypes.join('|')})`;
      host.registerKernel<IsolatedBackend>({
        op: k.op,
        device: k.device,
        dtypes: k.dtypes as DType[],
        ...(k.override ? { override: true } : {}),
        run: (inputs, output, attrs, ctx) => ctx.backend.launch(index, what, inputs, output, attrs),
      });
    });
  }

  /** True once one of its backends has devices (made by the runtime's ready()). */
  get inUse(): boolean {
    return this.#created.size > 0;
  }

  /** Stops the process (the runtime's dispose, after its devices are released). */
  close(ms: number): Promise<void> {
    return this.#process.close(ms);
  }

  /** Starts the process and loads the plugin there; checks what it reports. */
  async #start(): Promise<LoadReply> {
    const name = this.manifest.name;
    if (!this.#origin) {
      throw new HearthError('E_PLUGIN', `${name} can't be isolated: it does not say where another process can import it from (its \`origin\`). Ask its vendor to set HearthPlugin.origin, or load it in-process.`, { plugin: name });
    }
    this.#process.start();
    this.#generation++;
    opsAsData ??= JSON.parse(JSON.stringify(OPSET)) as unknown[];
    try {
      const reply = await this.#process.request<LoadReply>(
        { k: 'load', origin: this.#origin, coreVersion: CORE_API_VERSION, opsetVersion: OPSET_VERSION, ops: opsAsData },
        this.#timeouts.register,
        'register()',
        'E_PLUGIN',
      );
      return checkLoadReply(reply, this.manifest);
    } catch (e) {
      await this.#process.close(this.#timeouts.call); // a plugin that failed to load keeps no process
      throw e;
    }
  }

  async #create(type: string, options: BackendOptions): Promise<IsolatedBackend[]> {
    const facts = await this.#createRemote(type, options);
    const backends = facts.map((d) => new IsolatedBackend(this.#process, d.dev, this.#generation, d, { call: this.#timeouts.call }, () => this.restart()));
    this.#created.set(type, { options, backends });
    return backends;
  }

  async #createRemote(type: string, options: BackendOptions): Promise<(IsolatedDeviceFacts & { dev: number })[]> {
    const devices = await this.#process.request<RemoteDevice[]>({ k: 'create', type, options, maxDevices: MAX_DEVICES }, this.#timeouts.create, `create() of ${type}`, 'E_BACKEND_INIT');
    if (!Array.isArray(devices) || devices.length > MAX_DEVICES) {
      throw new HearthError('E_BACKEND_INIT', `The ${type} backend of ${this.manifest.name} claims more than ${MAX_DEVICES} devices, more than any machine has; it was refused. This is a plugin bug; report it to its vendor.`, { plugin: this.manifest.name, backend: type });
    }
    return devices.map((d) => checkDevice(d, type, this.manifest.name));
  }

  /**
   * Starts the process again, with the same plugin and the same devices (every device of the plugin: they
   * share the process). Tensors made before stay unusable (`E_DEVICE_LOST`). Concurrent calls share one restart.
   */
  restart(): Promise<void> {
    return (this.#restarting ??= this.#restart().finally(() => (this.#restarting = undefined)));
  }

  async #restart(): Promise<void> {
    if (!this.#process.lost) await this.#process.close(this.#timeouts.call);
    const reply = await this.#start();
    if (kernelKeys(reply) !== this.#kernelKeys) {
      throw new HearthError('E_DEVICE_LOST', `${this.manifest.name} registered other kernels after its restart than before; its devices stay lost. Create a new runtime.`, { plugin: this.manifest.name });
    }
    for (const [type, { options, backends }] of this.#created) {
      const facts = await this.#createRemote(type, options);
      if (facts.length < backends.length) {
        throw new HearthError('E_DEVICE_LOST', `${this.manifest.name} found ${facts.length} ${type} device(s) after its restart, fewer than the ${backends.length} before; they stay lost.`, { plugin: this.manifest.name });
      }
      backends.forEach((b, i) => b.rebind(facts[i]!.dev, this.#generation));
    }
  }
}

function kernelKeys(reply: LoadReply): string {
  return JSON.stringify(reply.kernels);
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_PLUGIN_STRING;

/** Checks the process's account of the plugin: the same manifest, and counts and strings within bounds. */
function checkLoadReply(reply: LoadReply, manifest: PluginManifest): LoadReply {
  const problems: string[] = [];
  const m = reply?.manifest;
  if (m?.name !== manifest.name || m.version !== manifest.version) problems.push(`its origin gave ${String(m?.name)}@${String(m?.version)}, not ${manifest.name}@${manifest.version}`);
  const types = manifest.deviceTypes.length;
  if (!Array.isArray(reply?.backends) || reply.backends.length > types || !reply.backends.every(str)) problems.push(`it registered backends beyond its ${types} device type(s)`);
  if (!Array.isArray(reply?.lazy) || !reply.lazy.every((t) => Array.isArray(reply.backends) && reply.backends.includes(t))) problems.push('its list of backends that start on first use names backends it did not register');
  const most = OPSET.length * DTYPES.length * types; // one registration per (op, dtype, device type) at most
  if (!Array.isArray(reply?.kernels) || reply.kernels.length > most) problems.push(`it registered more kernels than the opset has (${most} at most)`);
  else {
    for (const k of reply.kernels) {
      if (!str(k?.op) || !str(k.device) || !Array.isArray(k.dtypes) || k.dtypes.length > DTYPES.length || !k.dtypes.every((d: unknown) => isDType(d))) {
        problems.push(`a kernel is malformed (${JSON.stringify(k).slice(0, 120)})`);
        break;
      }
    }
  }
  if (problems.length) {
    throw new HearthError('E_PLUGIN', `${manifest.name} (isolated) was refused: ${problems.join('; ')}. This is a plugin bug; report it to its vendor.`, { plugin: manifest.name, problems });
  }
  return reply;
}

/** Checks one device's facts: its info strings within bounds, known dtypes. */
function checkDevice(d: RemoteDevice, type: string, plugin: string): IsolatedDeviceFacts & { dev: number } {
  const info = (d?.info ?? {}) as Record<string, unknown>;
  const entries = Object.entries(info);
  const long = entries.find(([k, v]) => k.length > 64 || (typeof v === 'string' && v.length > MAX_PLUGIN_STRING));
  const bad = entries.length > 32 ? 'its info has more than 32 fields' : long ? `info.${long[0].slice(0, 64)} is longer than ${MAX_PLUGIN_STRING} characters` : !Number.isInteger(d?.dev) || !Array.isArray(d.dtypes) || !d.dtypes.every((x: unknown) => isDType(x)) ? 'it is malformed' : undefined;
  if (bad) {
    throw new HearthError('E_BACKEND_INIT', `The ${type} backend of ${plugin} described a device the core can't take: ${bad}. This is a plugin bug; report it to its vendor.`, { plugin, backend: type });
  }
  const max = d.maxAllocationBytes;
  return { dev: d.dev, info: { ...info, isolated: true } as unknown as DeviceInfo, dtypes: d.dtypes as DType[], ...(typeof max === 'number' && max > 0 ? { maxAllocationBytes: max } : {}) };
}
