import { GovernanceError } from '../error.js';
import { remove } from 'confusables';
import { Lexer, type Tokens } from 'marked';
import type { CommandEvent, CommandName, DroppedInput } from '../engine/snapshot.js';

/** A pull-request comment, as much of it as commands need. */
export interface CommentInput {
  /** The comment's id. */
  id: number;
  /** Commenter's login. */
  user: string;
  /** Commenter's immutable account id, when known. */
  userId?: number;
  /** The text. */
  body: string;
  /** When it was created (ISO instant). */
  createdAt: string;
  /** When it was last updated (ISO instant); differs from `createdAt` once edited. */
  updatedAt: string;
}

const COMMAND = /^\/(vote|object|approve)(?:[ \t]+(.*))?$/;

/**
 * The commands in a comment: each line of a plain top-level paragraph that starts with `/vote`,
 * `/object` or `/approve`. The comment is read with a Markdown parser (marked, GitHub's dialect),
 * so what GitHub shows as a quote, a code block (fenced with backticks or tildes, or indented), an
 * HTML comment, a list or a heading is never taken as a command, nor is text inside emphasis,
 * strike-through or inline code. Commands from an edited comment are kept but marked `edited`, so
 * the engine can say it refused them rather than silently drop them.
 */
export function commandsFromComment(comment: CommentInput): CommandEvent[] {
  return readComment(comment).commands;
}

/** What a comment says: its commands, and the lines that look like commands but are not counted. */
export interface ReadComment {
  /** The commands. */
  commands: CommandEvent[];
  /** Look-alike commands and commands in a collapsed block, each with the reason it is not counted. */
  dropped: DroppedInput[];
}

/**
 * Reads a comment like {@link commandsFromComment}, and also reports each line a voter would take for
 * a command that is not one: written with a look-alike character (a no-break or zero-width space, an
 * escaped, encoded or fullwidth slash, a Cyrillic or Greek letter), or inside a collapsed
 * `<details>` block, which readers do not see unless they open it. These are not counted, and the
 * voter is told why, never left in silence.
 */
export function readComment(comment: CommentInput): ReadComment {
  const edited = Date.parse(comment.updatedAt) !== Date.parse(comment.createdAt);
  const commands: CommandEvent[] = [];
  const dropped: DroppedInput[] = [];
  for (const { line, hidden } of paragraphLines(comment.body)) {
    const match = COMMAND.exec(line);
    if (match !== null && !hidden) {
      const argument = match[2]?.trim();
      commands.push({
        user: comment.user,
        ...(comment.userId === undefined ? {} : { userId: comment.userId }),
        command: match[1] as CommandName,
        ...(argument === undefined || argument === '' ? {} : { argument }),
        at: comment.createdAt,
        commentId: comment.id,
        edited,
      });
      continue;
    }
    const why = match !== null ? HIDDEN : lookAlike(line);
    if (why !== undefined) dropped.push({ user: comment.user, input: line, at: comment.createdAt, reason: `${why}; ${match !== null ? 'post it outside the block' : 'write it in plain characters'} in a new comment` });
  }
  return { commands, dropped };
}

/**
 * Lines that look like commands in a text that is never read for commands (a review's body, the pull
 * request's description), each reported as not counted: a vote is a comment of its own.
 */
export function commandsOutOfPlace(text: string | null | undefined, user: string, at: string, where: string): DroppedInput[] {
  return paragraphLines(text ?? '')
    .filter(({ line }) => COMMAND.test(line) || lookAlike(line) !== undefined)
    .map(({ line }) => ({ user, input: line, at, reason: `commands in ${where} are not read; post ${COMMAND.test(line) ? `'${line}'` : 'the command, in plain characters,'} as a comment of its own on the pull request` }));
}

/**
 * `Subject:` and `Applicant:` lines of a description hidden in a collapsed `<details>` block, each
 * reported as not read: what decides who is recused must be in plain sight.
 */
export function hiddenFields(text: string | null | undefined, user: string, at: string): DroppedInput[] {
  return paragraphLines(text ?? '')
    .filter(({ line, hidden }) => hidden && /^(?:Subject|Applicant):/.test(line))
    .map(({ line }) => ({ user, input: line, at, reason: `it is inside a collapsed <details> block of the description, which readers do not see unless they open it, so it is not read; put it in a plain paragraph` }));
}

const HIDDEN = 'it is inside a collapsed <details> block, which readers do not see unless they open it, so it is not read';

/** Characters that stand for a slash without being one. */
const SLASH_LOOK_ALIKES = /[\u2215\u2044\u29f8]/g;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
const ENCODED_SLASH = /^(?:\\\/|&#0*47;|&#x0*2f;|&sol;)/i;

/**
 * Why a line is a command in disguise, or undefined when it is not one: it reads as a command once
 * its look-alike characters are replaced by plain ones, and does not as written.
 */
function lookAlike(line: string): string | undefined {
  const found: string[] = [];
  let text = line;
  if (ENCODED_SLASH.test(text)) {
    found.push(`an escaped or encoded slash (${ENCODED_SLASH.exec(text)?.[0] ?? ''})`);
    text = text.replace(ENCODED_SLASH, '/');
  }
  if (ZERO_WIDTH.test(text)) found.push('an invisible (zero-width) character');
  text = text.replace(ZERO_WIDTH, '');
  const nfkc = text.normalize('NFKC');
  if (/\u00a0|\u202f|\u2007/.test(text)) found.push('a no-break space');
  else if (nfkc !== text) found.push('a fullwidth or compatibility character');
  // Unicode's confusables (UTS #39 data): a Cyrillic or Greek letter that looks Latin maps to the Latin one.
  const plain = remove(nfkc.replace(SLASH_LOOK_ALIKES, '/')).normalize('NFKC');
  if (plain !== nfkc) {
    const odd = [...nfkc].filter((c) => c > '\u007f').map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
    found.push(`a character that looks like a plain one but is not (${odd.join(', ')})`);
  }
  if (found.length === 0 || !COMMAND.test(plain.replace(/^\/(vote|object|approve)\s+/, '/$1 '))) return undefined;
  return `it looks like a command but has ${found.join(' and ')}, so it is not one`;
}

/** The trimmed lines of a Markdown text's plain top-level paragraphs, as GitHub renders them. */
function plainLines(markdown: string): string[] {
  return paragraphLines(markdown)
    .filter((l) => !l.hidden)
    .map((l) => l.line);
}

/**
 * The trimmed lines of a Markdown text's plain top-level paragraphs, each marked `hidden` when it
 * sits inside a collapsed `<details>` block (between top-level HTML that opens and closes one).
 */
function paragraphLines(markdown: string): { line: string; hidden: boolean }[] {
  const out: { line: string; hidden: boolean }[] = [];
  let depth = 0;
  for (const t of new Lexer({ gfm: true }).lex(markdown)) {
    if (t.type === 'html') {
      depth = Math.max(0, depth + (t.raw.match(/<details[\s>]/gi) ?? []).length - (t.raw.match(/<\/details\s*>/gi) ?? []).length);
    } else if (t.type === 'paragraph') {
      out.push(...plainText(t as Tokens.Paragraph).split(/\r?\n/).map((l) => ({ line: l.trim(), hidden: depth > 0 })));
    }
  }
  return out;
}

/**
 * A paragraph's plain text: its text tokens as written; anything else (inline HTML such as a comment,
 * code, emphasis, links) becomes a mark that no command can start with.
 */
function plainText(paragraph: Tokens.Paragraph): string {
  return paragraph.tokens.map((t) => (t.type === 'text' || t.type === 'escape' ? t.raw : t.raw.replace(/[^\n]+/g, '\u0000'))).join('');
}

const FROZEN_MARKER = 'hearth-governance:frozen';

/** The comment the bot posts to witness its record of a frozen decision (the record, signed, in a hidden part). */
export function frozenComment(frozenJson: string, summary = 'this decision is now frozen; the policy below decides it whatever changes later.'): string {
  return `Governance: ${summary}\n<!-- ${FROZEN_MARKER} ${Buffer.from(frozenJson, 'utf8').toString('base64')} -->`;
}

/** The frozen decision's JSON from a bot comment, if the comment is one. */
export function frozenFromComment(body: string): string | undefined {
  const match = new RegExp(`<!-- ${FROZEN_MARKER} ([A-Za-z0-9+/=]+) -->`).exec(body);
  return match?.[1] === undefined ? undefined : Buffer.from(match[1], 'base64').toString('utf8');
}

const FINAL_VOTE_MARKER = 'hearth-governance:final-vote';

/** The comment text the bot uses to record a vote's outcome when it closes. */
export function finalVoteComment(summary: string, recordJson: string): string {
  return `Governance: ${summary}\n<!-- ${FINAL_VOTE_MARKER} ${Buffer.from(recordJson, 'utf8').toString('base64')} -->`;
}

/** The final-vote record's JSON from a bot comment, if the comment is one. */
export function finalVoteFromComment(body: string): string | undefined {
  const match = new RegExp(`<!-- ${FINAL_VOTE_MARKER} ([A-Za-z0-9+/=]+) -->`).exec(body);
  return match?.[1] === undefined ? undefined : Buffer.from(match[1], 'base64').toString('utf8');
}

/** Fields of a decision read from a pull request's description. */
export interface DecisionFields {
  /** The person a vote is about. */
  subject?: string;
  /** The organisation applying. */
  applicant?: string;
}

/**
 * Reads `Subject: @login` and `Applicant: org-id` lines from a pull request's description, from plain
 * paragraphs only (as for commands: a line hidden in an HTML comment or a code block is not what
 * reviewers read). Two different values for one field are ambiguous and refused.
 */
export function decisionFields(body: string | null | undefined): DecisionFields {
  const lines = plainLines(body ?? '');
  const one = (field: string, pattern: RegExp): string | undefined => {
    const values = [...new Set(lines.map((l) => pattern.exec(l)?.[1]).filter((v): v is string => v !== undefined))];
    if (values.length > 1) {
      throw new GovernanceError('E_GOV_DECISION_FIELDS', `the pull request's description names ${values.length} values for '${field}:' (${values.join(', ')}); keep one line`);
    }
    return values[0];
  };
  const subject = one('Subject', /^Subject:[ \t]*@?([A-Za-z0-9-]+)[ \t]*$/);
  const applicant = one('Applicant', /^Applicant:[ \t]*([A-Za-z0-9._-]+)[ \t]*$/);
  return { ...(subject === undefined ? {} : { subject }), ...(applicant === undefined ? {} : { applicant }) };
}
