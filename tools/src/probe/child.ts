/**
 * The process `hearth` probes foreign plugins in: it gets one task, runs it in process (importing the
 * plugins), sends the one answer and exits. A plugin that exits, crashes or hangs here takes only this
 * process down; the parent reports it.
 */
import { isHearthError } from '@hearth/core';
import { listBackends } from '../commands/backends.js';
import { coverage } from '../commands/ops.js';
import { explainCall } from '../commands/explain.js';
import type { ProbeAnswer, ProbeTask } from './protocol.js';

async function answer(task: ProbeTask): Promise<unknown> {
  // No plugins named: the installed ones.
  const plugins = task.plugins.length ? [...task.plugins] : undefined;
  switch (task.kind) {
    case 'backends':
      return listBackends(plugins, task.allowOverrides);
    case 'ops':
      return coverage({ device: task.device, plugins });
    case 'explain':
      return explainCall(task.op, { ...task, plugins });
  }
}

process.once('message', (task: ProbeTask) => {
  void answer(task).then(
    (value): ProbeAnswer => ({ ok: true, value }),
    (e: unknown): ProbeAnswer => ({ ok: false, code: isHearthError(e) ? e.code : 'E_PLUGIN', message: (e as Error)?.message ?? String(e) }),
  ).then((a) => process.send!(a, undefined, undefined, () => process.exit(0)));
});
