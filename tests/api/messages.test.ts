import { describe, expect, it } from 'vitest';
import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};

describe('messages a user reads', () => {
  it('say "a Promise" and where to await when a forgotten await hands one over', async () => {
    const h = createHearth({ plugins: [cpuPlugin] });
    await h.ready();
    const moved = h.tensor([1, 2]).to('cpu');
    const m = messageOf(() => h.add(moved as never, h.tensor([1, 2])));
    expect(m).toContain('a Promise');
    expect(m).toContain('await');
    await moved;
  });

  it('name the promoted dtype in words when the inputs compute in a dtype the op refuses', async () => {
    const h = createHearth({ plugins: [cpuPlugin] });
    await h.ready();
    const b = h.tensor([true, false]);
    const m = messageOf(() => h.add(b, b));
    expect(m).toContain('add: the inputs compute in bool');
    expect(m).not.toContain('inputs has dtype');
  });
});
