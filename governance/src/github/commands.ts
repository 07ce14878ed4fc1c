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
 * The commands in a comment: each line that starts with `/vote`, `/object` or `/approve` (quoted
 * lines, starting `>`, are someone else's words and are skipped). Commands from an edited comment are
 * kept but marked `edited`, so the engine can say it refused them rather than silently drop them.
 */
export function commandsFromComment(comment: CommentInput): CommandEvent[] {
  const edited = Date.parse(comment.updatedAt) !== Date.parse(comment.createdAt);
  const out: CommandEvent[] = [];
  let inFence = false;
  for (const raw of comment.body.split(/\r?\n/)) {
    const line = raw.trim();
    // Commands inside code fences are examples, not commands.
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence) continue;
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

/** Fields of a decision read from a pull request's description. */
export interface DecisionFields {
  /** The person a vote is about. */
  subject?: string;
  /** The organisation applying. */
  applicant?: string;
}

/** Reads `Subject: @login` and `Applicant: org-id` lines from a pull request's description. */
export function decisionFields(body: string | null | undefined): DecisionFields {
  const text = body ?? '';
  const subject = /^Subject:[ \t]*@?([A-Za-z0-9-]+)[ \t]*$/m.exec(text)?.[1];
  const applicant = /^Applicant:[ \t]*([A-Za-z0-9._-]+)[ \t]*$/m.exec(text)?.[1];
  return { ...(subject === undefined ? {} : { subject }), ...(applicant === undefined ? {} : { applicant }) };
}
