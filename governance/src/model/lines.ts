/** The line of a pointer, or of its nearest ancestor that has one. */
export function lineOf(pointer: string, lines: Readonly<Record<string, number>>): number | undefined {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const line = lines[p];
    if (line !== undefined) return line;
    if (p === '') return undefined;
  }
}
