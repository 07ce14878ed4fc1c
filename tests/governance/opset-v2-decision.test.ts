import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, parsePolicy, parseSnapshot, checkDecisionFields, selectDecision } from '@hearth/governance';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

// The repository's own model, and the recorded history of RFC 0001's pull request: an objection raised
// and withdrawn, approvals from three company groups, and the technical council's vote with the
// applicant's group recused. The engine decides it as the bot would.
const policy = parsePolicy(read('.github/governance.yaml'), '.github/governance.yaml');
const history = parseSnapshot(read('docs/rfcs/0001-opset-v2.decision.json'), 'docs/rfcs/0001-opset-v2.decision.json');

describe('RFC 0001 (opset v2) under the repository\'s governance model', () => {
  it('is an opset-change decision, selected by its label, with the fields its recusal needs', () => {
    const decision = policy.model.decisions[selectDecision(policy.model, history.labels)]!;
    expect(decision.id).toBe('opset-change');
    expect(() => checkDecisionFields(policy.model, decision, history.subject, history.applicant)).not.toThrow();
    expect(read('docs/rfcs/0001-opset-v2.md')).toMatch(/governance\/opset-change/);
  });

  it('stays pending while the 21-day objection and voting window is open, even after the objection is withdrawn', () => {
    const e = evaluate(history, policy, '2026-11-20T00:00:00Z');
    expect(e.status).toBe('pending');
    expect(e.explanations.map((x) => x.message).join('\n')).toMatch(/placeholder-maintainer-2 withdrew their objection/);
  });

  it('passes once the window closes: objection withdrawn, quorum and two thirds of the votes cast, applicant group recused', () => {
    const e = evaluate(history, policy, '2026-11-23T09:00:00Z');
    expect(e.requirements.filter((r) => r.status !== 'met').map((r) => `${r.id}: ${r.description}`)).toEqual([]);
    expect(e.status).toBe('passing');
    // Placeholder vendor A proposed it: both of its council members step out, their votes refused.
    const recused = e.refusals.filter((r) => r.reason === 'recused' && r.input.startsWith('/vote')).map((r) => r.user).sort();
    expect(recused).toEqual(['placeholder-maintainer-1', 'placeholder-maintainer-5']);
  });

  it('would not pass had the objection stood', () => {
    const standing = { ...history, commands: history.commands.filter((c) => !(c.user === 'placeholder-maintainer-2' && c.command === 'approve')) };
    expect(evaluate(standing, policy, '2026-11-23T09:00:00Z').status).not.toBe('passing');
  });

  it('gives the example model the same decision type', () => {
    const example = parsePolicy(read('governance/examples/foundation.yaml'), 'foundation.yaml');
    const ours = policy.model.decisions.find((d) => d.id === 'opset-change')!;
    expect(example.model.decisions.find((d) => d.id === 'opset-change')?.rule).toEqual(ours.rule);
  });

  it('ships the governance workflows the model needs', () => {
    for (const f of ['governance.yml', 'governance-review.yml']) expect(read(`.github/workflows/${f}`)).toBe(read(`governance/workflows/${f}`));
  });
});
