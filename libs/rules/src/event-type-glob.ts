/**
 * Compiles event-type globs into one matcher: `*` matches exactly one dot-separated segment,
 * `**` any number of segments (zero included). No globs means every type matches.
 */
export function compileEventTypeGlobs(globs: readonly string[] | undefined): (eventType: string | null | undefined) => boolean {
  if (!globs || globs.length === 0) return () => true;
  const patterns = globs.map(globToRegExp);
  return (eventType) => typeof eventType === 'string' && patterns.some((pattern) => pattern.test(eventType));
}

function globToRegExp(glob: string): RegExp {
  // `**.**` means the same as `**`.
  const segments = glob.split('.').filter((segment, index, all) => !(segment === '**' && all[index - 1] === '**'));
  let pattern = '';
  segments.forEach((segment, index) => {
    const separator = index === 0 ? '' : '\\.';
    if (segment === '**') {
      // `a.**` also matches `a`, `**.b` also matches `b`.
      pattern += index > 0 ? '(?:\\.[^.]+)*' : segments.length > 1 ? '(?:[^.]+\\.)*' : '(?:[^.]+(?:\\.[^.]+)*)?';
      return;
    }
    const previousWasDoubleStar = segments[index - 1] === '**';
    const literal =
      segment === '*'
        ? '[^.]+'
        : segment
            .split('*')
            .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^.]*');
    pattern += (previousWasDoubleStar && index === 1 ? '' : separator) + literal;
  });
  return new RegExp(`^${pattern}$`);
}
