/**
 * A tensor's runtime state (its storage, device object, runtime, pending state, ledger slot, whether a scope
 * keeps it) is the core's: nothing a user or plugin holds, the tensor included, leads to it.
 */
import { describe, expect, it } from 'vitest';
import { createHearth } from '../src/index.js';
import { toyPlugin } from './toy-plugin.js';

const INTERNALS = ['storage', 'kept', 'ledgerSlot', 'pending', 'retire', 'settle', 'kernelView', 'runtime', 'dev', 'bytes'];

/** Every property name on `x` and its prototype chain up to Object.prototype. */
function propertyNames(x: object): string[] {
  const names: string[] = [];
  for (let o: object | null = x; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) names.push(...Reflect.ownKeys(o).map(String));
  return names;
}

describe('a tensor', () => {
  it('has no property, own or inherited, that reaches its internals', async () => {
    const h = createHearth({ plugins: [toyPlugin()] });
    await h.ready();
    const t = h.tensor([1, 2, 3]);
    const names = propertyNames(t);
    for (const name of INTERNALS) expect(names, name).not.toContain(name);
    // Its own enumerable fields are plain descriptions: a frozen shape, strings and numbers.
    for (const [key, value] of Object.entries(t)) expect(key === 'shape' ? Object.isFrozen(value) : typeof value !== 'object', key).toBe(true);
    t.keep();
    expect(names).not.toContain('kept');
    expect(Array.from(await t.data())).toEqual([1, 2, 3]);
    await h.dispose();
  });
});
