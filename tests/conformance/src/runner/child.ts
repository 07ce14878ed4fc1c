/**
 * The child process the runner isolates a plugin in: it imports the plugin, opens its device, and runs the
 * cases it is sent, reporting each result as it finishes. A crash or hang here costs one case, not the run.
 * It speaks over a plain pipe on file descriptor 3 (see {@link Channel}); nothing else marks it as a test.
 */
import { Socket } from 'node:net';
import { isHearthError } from '@hearth/core';
import { allCases } from '../suite.js';
import { withFreshDraws } from '../fresh.js';
import { readRepro, reproCases } from '../fuzz/repro.js';
import { Session } from '../exec/session.js';
import { executeCase } from '../exec/execute.js';
import { loadPlugin } from './load-plugin.js';
import { Channel } from './channel.js';
import type { FromChild, ToChild } from './protocol.js';
import type { SuiteCase } from '../cases/types.js';

function main(): void {
  const channel = new Channel<ToChild, FromChild>(new Socket({ fd: 3, readable: true, writable: true }));
  let session: Session | undefined;
  let byId: Map<string, SuiteCase> | undefined;
  let freshSeed: number | undefined;
  let repro: string | undefined;
  const list = (): SuiteCase[] => (repro ? reproCases(readRepro(repro)) : withFreshDraws(allCases(), freshSeed));
  const cases = () => (byId ??= new Map(list().map((c) => [c.id, c])));
  let queue = Promise.resolve();
  channel.on('message', (m) => {
    queue = queue.then(async () => {
      if (m.type === 'init') {
        try {
          freshSeed = m.freshSeed;
          repro = m.repro;
          const plugin = await loadPlugin(m.plugin);
          session = await Session.open(plugin, m.device, m.backendOptions);
          // The case list is built before ready, so its cost counts against the start, not a case's timeout.
          cases();
          await channel.send({ type: 'ready', init: session.report });
        } catch (e) {
          await channel.send({ type: 'fatal', code: isHearthError(e) ? e.code : 'E_PLUGIN', message: (e as Error)?.message ?? String(e) });
        }
      } else if (m.type === 'run') {
        for (const id of m.ids) await channel.send({ type: 'result', result: await executeCase(session!, cases().get(id)!) });
        await channel.send({ type: 'done' });
      } else {
        await session?.close();
        process.exit(0);
      }
    });
  });
  channel.on('close', () => process.exit(0));
}

main();
