/** What the CLI asks of a probe child: one of its read-only commands over plugins named on the command line. */
export type ProbeTask =
  | { readonly kind: 'backends'; readonly plugins: readonly string[]; readonly allowOverrides?: readonly string[] }
  | { readonly kind: 'ops'; readonly plugins: readonly string[]; readonly device?: string }
  | {
      readonly kind: 'explain';
      readonly op: string;
      readonly plugins: readonly string[];
      readonly shapes?: string;
      readonly dtypes?: string;
      readonly attrs?: string;
      readonly device?: string;
    };

/** The child's one answer. */
export type ProbeAnswer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly code: string; readonly message: string };
