import type { CommandEvent, DroppedInput } from '../engine/snapshot.js';
import type { GitHubClient } from './client.js';
import { readComment } from './commands.js';

/** One revision of a comment as GitHub's GraphQL API lists it (`userContentEdits`). */
export interface CommentEdit {
  /** Who made it. */
  readonly editor: string;
  /** Their account id, when GitHub gives one. */
  readonly editorId?: number;
  /** When. */
  readonly editedAt: string;
  /** The comment's whole text after this edit (GitHub's `diff` field). */
  readonly text: string;
}

/** A comment as the REST API lists it, with what is needed to read its history. */
export interface RestComment {
  readonly id: number;
  readonly node_id: string;
  readonly user: { login: string; id: number } | null;
  readonly body?: string;
  readonly created_at: string;
  readonly updated_at: string;
}

const EDITS_QUERY = `query($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on IssueComment {
      id
      userContentEdits(first: 100) {
        nodes { editedAt diff editor { login ... on User { databaseId } ... on Bot { databaseId } } }
      }
    }
  }
}`;

interface EditsResponse {
  nodes: ({ id: string; userContentEdits: { nodes: ({ editedAt: string; diff: string | null; editor: { login: string; databaseId?: number } | null } | null)[] } } | null)[];
}

/** The edit history of comments by node id, oldest revision first, read 50 comments per GraphQL query. */
export async function readEdits(octokit: GitHubClient, nodeIds: readonly string[]): Promise<Map<string, CommentEdit[]>> {
  const out = new Map<string, CommentEdit[]>();
  for (let i = 0; i < nodeIds.length; i += 50) {
    const data = await octokit.graphql<EditsResponse>(EDITS_QUERY, { ids: nodeIds.slice(i, i + 50) });
    for (const node of data.nodes) {
      if (node === null) continue;
      const edits = node.userContentEdits.nodes
        .filter((e): e is NonNullable<typeof e> => e !== null && e.diff !== null)
        .map((e) => ({ editor: e.editor?.login ?? 'ghost', ...(e.editor?.databaseId === undefined ? {} : { editorId: e.editor.databaseId }), editedAt: e.editedAt, text: e.diff ?? '' }))
        .sort((a, b) => Date.parse(a.editedAt) - Date.parse(b.editedAt));
      out.set(node.id, edits);
    }
  }
  return out;
}

/**
 * The commands of a comment, read from the revisions its author made: each of the author's
 * revisions gives its commands at the instant it was made (a command already in the author's
 * previous revision is not repeated), so an author may change a vote by editing, with the edit's
 * time deciding whether it came in time. An edit by anyone else (a writer can edit any comment) is
 * not counted and is reported: the author's own last text stands. A comment edited with no history
 * GitHub can show is read as before, its commands refused as edited.
 */
export function commentCommands(comment: RestComment, history: readonly CommentEdit[] | undefined): { commands: CommandEvent[]; dropped: DroppedInput[] } {
  const author = comment.user?.login ?? '';
  const authorId = comment.user?.id;
  const base = { id: comment.id, user: author, ...(authorId === undefined ? {} : { userId: authorId }) };
  const edited = Date.parse(comment.updated_at) !== Date.parse(comment.created_at);
  if (!edited || history === undefined || history.length === 0) {
    return readComment({ ...base, body: comment.body ?? '', createdAt: comment.created_at, updatedAt: comment.updated_at });
  }
  const commands: CommandEvent[] = [];
  const dropped: DroppedInput[] = [];
  let previous = new Set<string>();
  for (const edit of history) {
    const byAuthor = authorId !== undefined && edit.editorId !== undefined ? edit.editorId === authorId : edit.editor.toLowerCase() === author.toLowerCase();
    if (!byAuthor) {
      dropped.push({ user: edit.editor, input: `edit of comment ${comment.id} by ${author}`, at: edit.editedAt, reason: `${edit.editor} edited ${author}'s comment ${comment.id}; an edit counts only when the comment's author makes it, so ${author}'s own last text stands` });
      continue;
    }
    const read = readComment({ ...base, body: edit.text, createdAt: edit.editedAt, updatedAt: edit.editedAt });
    const current = new Set(read.commands.map((c) => `${c.command} ${c.argument ?? ''}`));
    commands.push(...read.commands.filter((c) => !previous.has(`${c.command} ${c.argument ?? ''}`)));
    dropped.push(...read.dropped);
    previous = current;
  }
  return { commands, dropped };
}
