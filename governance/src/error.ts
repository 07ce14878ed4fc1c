/**
 * Stable codes of the errors a user of governance can cause. Each is documented in the package README.
 */
export type GovernanceErrorCode =
  | 'E_GOV_YAML'
  | 'E_GOV_SCHEMA'
  | 'E_GOV_DATES'
  | 'E_GOV_REFERENCE'
  | 'E_GOV_DUPLICATE'
  | 'E_GOV_AFFILIATION_GAP'
  | 'E_GOV_CAP'
  | 'E_GOV_MODULE_OWNER'
  | 'E_GOV_DECISION_RULE'
  | 'E_GOV_DECISION_TYPE'
  | 'E_GOV_DECISION_FIELDS'
  | 'E_GOV_FROZEN'
  | 'E_GOV_SNAPSHOT'
  | 'E_GOV_INPUT'
  | 'E_GOV_GITHUB'
  | 'E_GOV_APP_AUTH';

/** One problem found in a governance file, located at a line of that file where one is known. */
export interface GovernanceIssue {
  /** The stable code of this problem. */
  readonly code: GovernanceErrorCode;
  /** What is wrong and what to do, without the location prefix. */
  readonly message: string;
  /** The file the problem is in, as the user named it. */
  readonly file?: string;
  /** The 1-based line in `file`. */
  readonly line?: number;
  /** The JSON pointer of the offending value in the model, such as `/bodies/1/caps/0/share`. */
  readonly pointer?: string;
}

/** Formats an issue as `file:line: message`, the form compilers use so editors can jump to it. */
export function formatIssue(issue: GovernanceIssue): string {
  const where = issue.file === undefined ? '' : issue.line === undefined ? `${issue.file}: ` : `${issue.file}:${issue.line}: `;
  return `${where}${issue.message}`;
}

/**
 * Every error a user can cause in governance: a bad model file, a bad snapshot, a bad command line, a
 * GitHub request that cannot succeed. It has the same shape as the core's error (an `Error` with a
 * stable `code`), so callers handle both alike; `issues` lists every problem when a file had several.
 */
export class GovernanceError extends Error {
  /** The stable code, e.g. `E_GOV_SCHEMA`; the code of the first issue when there are several. */
  readonly code: GovernanceErrorCode;
  /** Every problem found, in file order; one element for a single problem. */
  readonly issues: readonly GovernanceIssue[];

  /** Builds an error with one code and message; pass `issues` when a file had several problems. */
  constructor(code: GovernanceErrorCode, message: string, issues?: readonly GovernanceIssue[]) {
    super(message);
    this.name = 'GovernanceError';
    this.code = code;
    this.issues = issues ?? [{ code, message }];
  }

  /** Builds one error from the issues found in a file, its message listing each as `file:line: message`. */
  static fromIssues(issues: readonly GovernanceIssue[]): GovernanceError {
    const first = issues[0];
    if (first === undefined) throw new RangeError('fromIssues needs at least one issue');
    const text = issues.map(formatIssue).join('\n');
    return new GovernanceError(first.code, text, issues);
  }
}
