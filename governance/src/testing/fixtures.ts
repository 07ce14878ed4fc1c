// Test support, excluded from the build: the example foundation and snapshot builders.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePolicy } from '../model/load.js';
import type { Policy } from '../model/types.js';
import type { CommandEvent, ReviewEvent, Snapshot } from '../engine/snapshot.js';

/** Path of the shipped example model. */
const EXAMPLE_PATH = fileURLToPath(new URL('../../examples/foundation.yaml', import.meta.url));

/** The shipped example model's text. */
export const exampleText = (): string => readFileSync(EXAMPLE_PATH, 'utf8');

/** The example model, optionally edited by replacing one exact piece of text (which must be present). */
export function examplePolicy(edit?: [string, string]): Policy {
  let text = exampleText();
  if (edit !== undefined) {
    if (!text.includes(edit[0])) throw new Error(`fixture edit target not found: ${edit[0]}`);
    text = text.replace(edit[0], edit[1]);
  }
  return parsePolicy(text, 'governance.yaml');
}

export { EXAMPLE_ACCOUNTS } from '../github-dev/server.js';

export const HEAD = 'headheadheadheadheadheadheadheadheadhead';
export const OLD = 'oldoldoldoldoldoldoldoldoldoldoldoldoldo';

/** A pull request snapshot opened at 2024-07-01 (after every example seat began). */
export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    version: 1,
    repository: 'example/hearth',
    number: 7,
    author: 'eli-example',
    headSha: HEAD,
    openedAt: '2024-07-01T10:00:00.000Z',
    labels: [],
    files: ['docs/guide.md'],
    reviews: [],
    commands: [],
    ...over,
  };
}

export function approve(user: string, at = '2024-07-02T10:00:00Z', commitId = HEAD): ReviewEvent {
  return { user, state: 'APPROVED', commitId, submittedAt: at };
}

export function cmd(user: string, command: CommandEvent['command'], argument: string | undefined, at: string, edited = false): CommandEvent {
  // Comment ids only order same-instant commands; the instant in seconds is unique enough in tests.
  return { user, command, ...(argument === undefined ? {} : { argument }), at, commentId: Date.parse(at) / 1000, edited };
}
