import { GovernanceError } from '../error.js';
import { Lexer, type Tokens } from 'marked';
import type { CommandEvent, CommandName } from '../engine/snapshot.js';

/** A pull-request comment, as much of it as commands need. */
export interface CommentInput {
  /** The comment's id. */
  id: number;
  /** Commenter's login. */
  user: string;
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
  const edited = Date.parse(comment.updatedAt) !== Date.parse(comment.createdAt);
  const out: CommandEvent[] = [];
  for (const line of plainLines(comment.body)) {
    const match = COMMAND.exec(line);
    if (match === null) continue;
    const argument = match[2]?.trim();
    out.push({
      user: comment.user,
      command: match[1] as CommandName,
      ...(argument === undefined || argument === '' ? {} : { argument }),
      at: comment.createdAt,
      commentId: comment.id,
      edited,
    });
  }
  return out;
}

/** The trimmed lines of a Markdown text's plain top-level paragraphs, as GitHub renders them. */
function plainLines(markdown: string): string[] {
  return new Lexer({ gfm: true })
    .lex(markdown)
    .filter((t): t is Tokens.Paragraph => t.type === 'paragraph')
    .flatMap((p) => plainText(p).split(/\r?\n/).map((l) => l.trim()));
}

/**
 * A paragraph's plain text: its text tokens as written; anything else (inline HTML such as a comment,
 * code, emphasis, links) becomes a mark that no command can start with.
 */
function plainText(paragraph: Tokens.Paragraph): string {
  return paragraph.tokens.map((t) => (t.type === 'text' || t.type === 'escape' ? t.raw : t.raw.replace(/[^\n]+/g, '\u0000'))).join('');
}

const FROZEN_MARKER = 'hearth-governance:frozen';

/** The hidden comment text the bot uses to record a frozen decision on a pull request. */
export function frozenComment(frozenJson: string): string {
  return `Governance: this decision is now frozen; the policy below decides it whatever changes later.\n<!-- ${FROZEN_MARKER} ${Buffer.from(frozenJson, 'utf8').toString('base64')} -->`;
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
