/**
 * The program of an isolated plugin's process. It runs from its own source text (`node --eval`), so it
 * needs no file of its own and works the same from the sources, the build and a bundle: it sees nothing
 * outside this function (types only). It imports the plugin from its origin, registers it against a
 * recording host, and then serves the parent's messages one at a time, in order: storage by id, kernels
 * by index. A failure inside a call marks the storage it was to fill (a read of it, or of anything computed
 * from it, answers that error); a crash, a hang or an exit is the parent's to see.
 */
import type { ChildMessage, ParentMessage, RemoteError, RemoteTensor } from './protocol.js';

export function childMain(): void {
  type AnyBackend = {
    info: Record<string, unknown>;
    dtypes: string[];
    syncRead: boolean;
    maxAllocationBytes?: number;
    allocate(dtype: string, size: number): unknown;
    write(s: unknown, dtype: string, data: unknown): void;
    read(s: unknown, dtype: string, size: number): Promise<unknown>;
    readSync?(s: unknown, dtype: string, size: number): unknown;
    free(s: unknown): void;
    flush?(): void;
    dispose?(): unknown;
  };
  type Kernel = { op: string; device: string; dtypes: string[]; run: (...a: unknown[]) => unknown };
  type Factory = { type: string; create(o: unknown): unknown; lazy?: unknown };
  const proc = process as unknown as { send(m: ChildMessage): void; on(e: string, f: (m: ParentMessage[]) => void): void; exit(code: number): never };
  const errorOf = (e: unknown, fallback: string): RemoteError => {
    try {
      const o = e as { code?: unknown; message?: unknown };
      return { code: typeof o?.code === 'string' ? o.code : fallback, message: String(o?.message ?? e).slice(0, 4096) };
    } catch {
      return { code: fallback, message: 'an unprintable error' };
    }
  };
  // import() spelled in a string: bundlers and test transforms rewrite the syntax in this function's source.
  const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
  const factories: Factory[] = [];
  const kernels: Kernel[] = [];
  const devices: AnyBackend[] = [];
  // Per device: storage by id, or the error that kept it from being filled.
  const storages: Map<number, { s?: unknown; error?: RemoteError }>[] = [];
  let lastSeq = 0;
  let acking = false;
  let ackedAt = Date.now();
  const ack = () => {
    acking = false;
    ackedAt = Date.now();
    proc.send({ k: 'ack', s: lastSeq });
  };
  const reply = (r: number, value: unknown) => proc.send({ k: 'reply', r, ok: true, value });
  const refuse = (r: number, error: RemoteError) => proc.send({ k: 'reply', r, ok: false, error });
  const get = (dev: number, id: number) => storages[dev]!.get(id) ?? { error: { code: 'E_BACKEND', message: `storage #${id} is unknown to the isolated process` } };
  const view = (dev: number, t: RemoteTensor) => ({ storage: get(dev, t.id).s, shape: Object.freeze(t.shape.slice()), dtype: t.dtype, size: t.size });

  async function load(m: Extract<ParentMessage, { k: 'load' }>): Promise<unknown> {
    const mod = (await importModule(m.origin.module)) as Record<string, unknown>;
    const exported = mod[m.origin.export ?? 'default'];
    const plugin = (typeof exported === 'function' ? await (exported as (...a: unknown[]) => unknown)(...(m.origin.args ?? [])) : exported) as {
      manifest: Record<string, unknown>;
      register(host: unknown): unknown;
    };
    if (typeof plugin?.register !== 'function') throw new Error(`${m.origin.module} exports no plugin under "${m.origin.export ?? 'default'}"`);
    const host = {
      coreVersion: m.coreVersion,
      opsetVersion: m.opsetVersion,
      ops: m.ops,
      registerBackend: (f: Factory) => void factories.push({ type: String(f.type), create: f.create.bind(f), lazy: f.lazy === true }),
      registerKernel: (k: Kernel) => void kernels.push(k),
    };
    await plugin.register(host);
    const mf = plugin.manifest;
    return {
      manifest: { name: String(mf.name), version: String(mf.version), deviceTypes: Array.isArray(mf.deviceTypes) ? mf.deviceTypes.map(String) : [] },
      backends: factories.map((f) => f.type),
      lazy: factories.filter((f) => f.lazy === true).map((f) => f.type),
      kernels: kernels.map((k) => ({ op: String(k.op), device: String(k.device), dtypes: (Array.isArray(k.dtypes) ? k.dtypes : [k.dtypes]).map(String), override: (k as { override?: unknown }).override === true })),
    };
  }

  async function create(m: Extract<ParentMessage, { k: 'create' }>): Promise<unknown> {
    const f = factories.find((x) => x.type === m.type);
    if (!f) throw new Error(`no "${m.type}" backend was registered`);
    const made = await f.create(m.options);
    const list = (Array.isArray(made) ? made : [made]) as AnyBackend[];
    return list.slice(0, m.maxDevices + 1).map((b) => {
      const dev = devices.push(b) - 1;
      storages[dev] = new Map();
      const info: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(b.info ?? {})) if (['string', 'number', 'boolean'].includes(typeof v)) info[k] = v;
      return { dev, info, dtypes: Array.isArray(b.dtypes) ? b.dtypes.map(String) : [], maxAllocationBytes: typeof b.maxAllocationBytes === 'number' ? b.maxAllocationBytes : undefined };
    });
  }

  async function read(m: Extract<ParentMessage, { k: 'read' }>): Promise<unknown> {
    const slot = get(m.dev, m.id);
    if (slot.error) throw slot.error;
    const b = devices[m.dev]!;
    b.flush?.();
    return b.syncRead && b.readSync ? b.readSync(slot.s, m.dtype, m.size) : await b.read(slot.s, m.dtype, m.size);
  }

  function launch(m: Extract<ParentMessage, { k: 'launch' }>): void {
    const out = storages[m.dev]!.get(m.output.id);
    if (!out || out.error) return;
    const failed = m.inputs.map((t) => get(m.dev, t.id).error).find((e) => e !== undefined);
    if (failed) {
      out.error = failed; // computed from a failed result: the same error, where it began
      return;
    }
    const b = devices[m.dev]!;
    const ctx = { backend: b, allocate: (d: string, n: number) => b.allocate(d, n), release: (s: unknown) => b.free(s) };
    try {
      kernels[m.kernel]!.run(m.inputs.map((t) => view(m.dev, t)), view(m.dev, m.output), Object.freeze(m.attrs), ctx);
    } catch (e) {
      const error = errorOf(e, 'E_KERNEL');
      out.error = { code: error.code, message: `its ${kernels[m.kernel]!.op} kernel failed: ${error.message}` };
    }
  }

  async function serve(m: ParentMessage): Promise<void> {
    switch (m.k) {
      case 'alloc':
        try {
          storages[m.dev]!.set(m.id, { s: devices[m.dev]!.allocate(m.dtype, m.size) });
        } catch (e) {
          storages[m.dev]!.set(m.id, { error: errorOf(e, 'E_OUT_OF_MEMORY') });
        }
        return;
      case 'write': {
        const slot = get(m.dev, m.id);
        if (slot.error) return;
        try {
          devices[m.dev]!.write(slot.s, m.dtype, m.data);
        } catch (e) {
          slot.error = errorOf(e, 'E_BACKEND');
        }
        return;
      }
      case 'free': {
        const slot = storages[m.dev]!.get(m.id);
        storages[m.dev]!.delete(m.id);
        if (slot && !slot.error) devices[m.dev]!.free(slot.s);
        return;
      }
      case 'launch':
        return launch(m);
      case 'exit':
        return proc.exit(0);
      default:
        break;
    }
    const kind = m.k === 'load' ? 'E_PLUGIN' : m.k === 'create' ? 'E_BACKEND_INIT' : 'E_BACKEND';
    try {
      if (m.k === 'load') reply(m.r, await load(m));
      else if (m.k === 'create') reply(m.r, await create(m));
      else if (m.k === 'read') reply(m.r, await read(m));
      else if (m.k === 'dispose') reply(m.r, void (await devices[m.dev]!.dispose?.()));
    } catch (e) {
      refuse(m.r, errorOf(e, kind));
    }
  }

  // One message at a time, in order: a read finishes before the free or launch sent after it.
  let queue = Promise.resolve();
  proc.on('message', (batch: ParentMessage[]) => {
    queue = queue.then(async () => {
      for (const m of batch) {
        await serve(m);
        lastSeq = m.s;
        // Progress is reported at least every 20 ms during a long batch, else once the batch is done.
        if (Date.now() - ackedAt > 20) ack();
      }
      if (!acking) {
        acking = true;
        setImmediate(ack);
      }
    });
  });
  // The parent is gone (it exited or closed the channel): nothing is left to serve.
  proc.on('disconnect', () => proc.exit(0));
}
