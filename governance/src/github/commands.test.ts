import { describe, expect, it } from 'vitest';
import { commandsFromComment, commandsOutOfPlace, decisionFields, frozenComment, frozenFromComment, hiddenFields, readComment } from './commands.js';

const comment = (body: string, updatedAt = '2024-07-02T12:00:00Z') => ({ id: 5, user: 'ana-example', body, createdAt: '2024-07-02T12:00:00Z', updatedAt });

describe('comment commands', () => {
  it('reads /vote, /object and /approve lines', () => {
    expect(commandsFromComment(comment('I agree.\n/vote yes\n/object too early\n/approve'))).toEqual([
      { user: 'ana-example', command: 'vote', argument: 'yes', at: '2024-07-02T12:00:00Z', commentId: 5, edited: false },
      { user: 'ana-example', command: 'object', argument: 'too early', at: '2024-07-02T12:00:00Z', commentId: 5, edited: false },
      { user: 'ana-example', command: 'approve', at: '2024-07-02T12:00:00Z', commentId: 5, edited: false },
    ]);
  });

  it('marks commands of an edited comment as edited, so the engine refuses them', () => {
    expect(commandsFromComment(comment('/vote yes', '2024-07-05T00:00:00Z'))).toMatchObject([{ command: 'vote', edited: true }]);
  });

  it('ignores quoted lines, code fences and commands mid-sentence', () => {
    expect(commandsFromComment(comment('> /vote no\n\n```\n/vote no\n```\n\nplease /vote yes'))).toEqual([]);
  });

  it('takes commands only from plain paragraphs, as GitHub renders the comment', () => {
    const notCommands = [
      '~~~\n/vote no\n~~~',
      '```\n/vote no\n```',
      'Example:\n\n    /vote no',
      '<!-- /vote no -->',
      'Hidden <!--\n/vote no\n-->',
      '> quoted\n/vote no',
      '- /vote no',
      '# /vote no',
      '*/vote no*',
      '`/vote no`',
      '~~/vote no~~',
    ];
    for (const body of notCommands) expect(commandsFromComment(comment(body)), body).toEqual([]);
    expect(commandsFromComment(comment('Agreed.\n/vote yes\n\n~~~\n/vote no\n~~~'))).toMatchObject([{ command: 'vote', argument: 'yes' }]);
  });

  it('round-trips a frozen decision through the bot comment', () => {
    expect(frozenFromComment(frozenComment('{"a":1}'))).toBe('{"a":1}');
    expect(frozenFromComment('plain comment')).toBeUndefined();
  });

  it('reads the subject and the applicant from the description', () => {
    expect(decisionFields('Nominating.\nSubject: @fay-example\nApplicant: example-cloud\n')).toEqual({ subject: 'fay-example', applicant: 'example-cloud' });
    expect(decisionFields(null)).toEqual({});
  });

  it('reads the subject only where reviewers see it, and refuses two different subjects', () => {
    // A line hidden in an HTML comment, or shown as code, is not the description's subject.
    expect(decisionFields('<!--\nSubject: @ana-example\n-->\n\nSubject: @fay-example')).toEqual({ subject: 'fay-example' });
    expect(decisionFields('```\nSubject: @ana-example\n```')).toEqual({});
    expect(() => decisionFields('Subject: @ana-example\n\nSubject: @fay-example')).toThrow(expect.objectContaining({ code: 'E_GOV_DECISION_FIELDS' }) as Error);
  });
});

describe('commands that are not counted are reported, never silently dropped', () => {
  const read = (body: string) => readComment({ id: 9, user: 'cho-example', body, createdAt: '2024-07-02T12:00:00Z', updatedAt: '2024-07-02T12:00:00Z' });
  it.each([
    ['a no-break space', '/vote\u00a0yes', 'no-break space'],
    ['an escaped slash', '\\/vote yes', 'escaped or encoded slash'],
    ['an encoded slash', '&#47;vote yes', 'escaped or encoded slash'],
    ['a hex-encoded slash', '&#x2F;object too soon', 'escaped or encoded slash'],
    ['a fullwidth slash', '\uff0fvote yes', 'fullwidth'],
    ['a zero-width space', '/vo\u200bte yes', 'zero-width'],
    ['a Cyrillic letter', '/v\u043ete yes', 'U+043E'],
    ['a Greek letter', '/\u03bfbject', 'U+03BF'],
  ])('with %s', (_what, line, reason) => {
    const { commands, dropped } = read(`I agree.\n\n${line}`);
    expect(commands).toEqual([]);
    expect(dropped).toEqual([expect.objectContaining({ user: 'cho-example', input: line, reason: expect.stringContaining(reason) as unknown })]);
  });

  it('does not read /vote or Subject: inside a collapsed <details> block, and says so for the vote', () => {
    const body = '<details>\n<summary>my reasons</summary>\n\n/vote no\n\n</details>\n\n/vote yes';
    const { commands, dropped } = read(body);
    expect(commands).toMatchObject([{ command: 'vote', argument: 'yes' }]);
    expect(dropped).toEqual([expect.objectContaining({ input: '/vote no', reason: expect.stringContaining('<details>') as unknown })]);
    expect(decisionFields('Removal.\n\n<details>\n\nSubject: @dev-example\n\n</details>\n')).toEqual({});
    expect(hiddenFields('Removal.\n\n<details>\n\nSubject: @dev-example\n\n</details>\n', 'eli-example', '2024-07-01T10:00:00Z')).toEqual([expect.objectContaining({ input: 'Subject: @dev-example', reason: expect.stringContaining('not read') as unknown })]);
    expect(decisionFields('Removal.\n\n<details><summary>more</summary>\n\nnotes\n\n</details>\n\nSubject: @dev-example\n')).toEqual({ subject: 'dev-example' });
  });

  it('reports commands written in a review body or the description', () => {
    expect(commandsOutOfPlace('Looks right.\n\n/vote yes', 'cho-example', '2024-07-02T12:00:00Z', "a review's body")).toEqual([
      { user: 'cho-example', input: '/vote yes', at: '2024-07-02T12:00:00Z', reason: expect.stringContaining("commands in a review's body are not read") as unknown },
    ]);
    expect(commandsOutOfPlace('Plain text, no command.', 'cho-example', '2024-07-02T12:00:00Z', 'the description')).toEqual([]);
  });
});
