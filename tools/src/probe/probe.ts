import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, HearthError, type ErrorCode } from '@hearth/core';
import type { ProbeAnswer, ProbeTask } from './protocol.js';

/** How long a probe of foreign plugins may take by default, in ms (`--timeout` changes it). */
export const PROBE_TIMEOUT_MS = 60_000;

const TAIL = 2000;

/** The compiled child entry: beside this file in dist/, or in dist/ when running from source. */
function childPath(): string {
  const here = fileURLToPath(import.meta.url);
  const path = here.endsWith('.ts') ? join(dirname(here), '../../dist/probe/child.js') : join(dirname(here), 'child.js');
  if (!existsSync(path)) throw new HearthError('E_ARG', `hearth's probe process (${path}) is not built; run \`npm run build\` first.`);
  return path;
}

/**
 * Runs a read-only command (`backends`, `ops`, `explain`) over plugins (those named, or the installed ones
 * when `task.plugins` is empty) in a child process, as `hearth conformance` does: a plugin that calls
 * `process.exit`, crashes or never settles can't end or hang the CLI. What the child prints (Dawn's start-up
 * warnings, a plugin's logs) is shown only when the probe fails, or live on stderr with `HEARTH_DEBUG` set.
 * Resolves with the command's result; rejects with a `HearthError` saying what the plugins did
 * (`E_PLUGIN`), or with the command's own coded error.
 */
export function probeInChild<T>(task: ProbeTask, timeoutMs = PROBE_TIMEOUT_MS): Promise<T> {
  const who = task.plugins.length ? task.plugins.join(', ') : 'installed';
  const debug = Boolean(process.env['HEARTH_DEBUG']);
  return new Promise<T>((resolve, reject) => {
    const child = fork(childPath(), [], { serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-TAIL);
      if (debug) process.stderr.write(d);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let answered: ProbeAnswer | undefined;
    const tail = () => (output.trim() && !debug ? ` Its last output: ${output.trim()}` : '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new HearthError('E_PLUGIN', `hearth ${task.kind}: the plugin(s) ${who} did not finish within ${timeoutMs} ms (a hang or a busy loop); the probe was stopped.${tail()} Pass --timeout <ms> if it needs longer.`, { plugins: task.plugins, timeoutMs }));
    }, timeoutMs);
    child.on('message', (m: ProbeAnswer) => (answered = m));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new HearthError('E_PLUGIN', `hearth ${task.kind}: could not start the probe process: ${describeError(e)}.`, {}, { cause: e }));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (answered?.ok) resolve(answered.value as T);
      else if (answered) reject(new HearthError(answered.code as ErrorCode, answered.message, { plugins: task.plugins }));
      else if (signal !== 'SIGKILL') {
        reject(
          new HearthError(
            'E_PLUGIN',
            `hearth ${task.kind}: the plugin(s) ${who} ended the process (${signal ?? `exit code ${code}`}) before it could answer; a plugin must never exit or crash its host.${tail()} Report this to the plugin's vendor.`,
            { plugins: task.plugins, exitCode: code, signal },
          ),
        );
      }
    });
    child.send(task);
  });
}
