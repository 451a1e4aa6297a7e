import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

const NUL = '\u0000';

/**
 * Refuses U+0000 anywhere in a path parameter, the query string or the body (values and keys, at
 * any depth): PostgreSQL text and jsonb cannot hold it, so such a value would fail the statement
 * it reaches (SQLSTATE 22021 or 22P05) instead of being a 400 that names it. Runs first among the
 * global pipes, on the values as the client sent them.
 */
@Injectable()
export class RejectNulPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const path = pathOfNul(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
    if (path !== undefined) {
      const what = path === '' ? 'the body' : path;
      throw ApiError.invalidRequest([{ path, message: `${what} must not contain the NUL character (\\u0000)` }]);
    }
    return value;
  }
}

/** A value found while walking a request, with how it was reached (kept as links: a path string per value would be quadratic). */
interface Visit {
  value: unknown;
  key: string;
  parent: Visit | undefined;
}

/**
 * The path (`steps.0.url`) of the first string or key holding a NUL, or undefined. Iterative: a
 * body of a megabyte can nest arrays half a million deep, deeper than a recursion's stack.
 */
export function pathOfNul(value: unknown, root = ''): string | undefined {
  const pending: Visit[] = [{ value, key: root, parent: undefined }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    if (typeof visit.value === 'string') {
      if (visit.value.includes(NUL)) return pathOf(visit);
    } else if (typeof visit.value === 'object' && visit.value !== null) {
      for (const [key, child] of Object.entries(visit.value as Record<string, unknown>)) {
        const childVisit: Visit = { value: child, key, parent: visit };
        if (key.includes(NUL)) return pathOf(childVisit);
        pending.push(childVisit);
      }
    }
  }
  return undefined;
}

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let step: Visit | undefined = visit; step !== undefined; step = step.parent) keys.push(step.key);
  return keys
    .reverse()
    .filter((key, index) => index > 0 || key !== '')
    .join('.');
}
