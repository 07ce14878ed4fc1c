/**
 * Glob matching for module paths: `**` any run of folders, `*` any run within one name, `?` one
 * character. Small and exact, so what a module owns never depends on a glob library's dialect.
 * Matching ignores case: `Core/x.ts` and `core/x.ts` are one path on a case-insensitive checkout
 * (macOS, Windows), so a case variant must not slip a change past the module's owners.
 */
function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*' && glob.charAt(i + 1) === '*') {
      // `**/` matches zero or more folders; a trailing `**` matches everything below.
      if (glob.charAt(i + 2) === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'i');
}

/** A matcher for a list of globs, compiled once: true when a path matches any of them. */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  const patterns = globs.map(globToRegExp);
  return (path) => patterns.some((p) => p.test(path));
}
