/**
 * The child process the runner isolates a plugin in: it imports the plugin, opens its device, and runs the
 * cases it is sent, reporting each result as it finishes. A crash or hang here costs one case, not the run.
 */
import { isHearthError } from '@hearth/core';
import { allCases } from '../suite.js';
import { Session } from '../exec/session.js';
import { executeCase } from '../exec/execute.js';
import { loadPlugin } from './load-plugin.js';
import type { FromChild, ToChild } from './protocol.js';
import type { SuiteCase } from '../cases/types.js';

const send = (m: FromChild) => new Promise<void>((ok) => process.send!(m, undefined, undefined, () => ok()));

async function main(): Promise<void> {
  let session: Session | undefined;
  let byId: Map<string, SuiteCase> | undefined;
  let queue = Promise.resolve();
  process.on('message', (m: ToChild) => {
    queue = queue.then(async () => {
      if (m.type === 'init') {
        try {
          const plugin = await loadPlugin(m.plugin);
          session = await Session.open(plugin, m.device, m.backendOptions);
          // The case list is built before ready, so its cost counts against the start, not a case's timeout.
          byId ??= new Map(allCases().map((c) => [c.id, c]));
          await send({ type: 'ready', init: session.report });
        } catch (e) {
          await send({ type: 'fatal', code: isHearthError(e) ? e.code : 'E_PLUGIN', message: (e as Error)?.message ?? String(e) });
        }
      } else if (m.type === 'run') {
        byId ??= new Map(allCases().map((c) => [c.id, c]));
        for (const id of m.ids) await send({ type: 'result', result: await executeCase(session!, byId.get(id)!) });
        await send({ type: 'done' });
      } else {
        await session?.close();
        process.exit(0);
      }
    });
  });
  process.on('disconnect', () => process.exit(0));
}

void main();
