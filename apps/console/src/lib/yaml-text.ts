import { isMap, isSeq, LineCounter, parseDocument, stringify } from 'yaml';

/** Keys in the order rules files are written (README, "Rules"); any other key follows, as stored. */
const KEY_ORDER = [
  'id',
  'source',
  'provider',
  'type',
  'description',
  'enabled',
  'secrets',
  'events',
  'when',
  'retry',
  'method',
  'url',
  'connection',
  'table',
  'mode',
  'key',
  'to',
  'subject',
  'headers',
  'body',
  'values',
  'steps',
];

function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (typeof value !== 'object' || value === null) return value;
  const rank = (key: string): number => {
    const index = KEY_ORDER.indexOf(key);
    return index === -1 ? KEY_ORDER.length : index;
  };
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b));
  return Object.fromEntries(keys.map((key) => [key, ordered((value as Record<string, unknown>)[key])]));
}

/** A definition (as the API gives it, JSON) as the YAML an operator would write in a rules file. */
export function toYaml(definition: unknown): string {
  return stringify(ordered(definition), { lineWidth: 0, aliasDuplicateObjects: false });
}

export interface YamlProblem {
  line?: number;
  column?: number;
  path?: string;
  message: string;
}

/** Parses the editor's YAML: the value, or the syntax problems at their lines. */
export function parseYaml(text: string): { value?: unknown; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return { line: position.line, column: position.col, message: error.message.split('\n')[0] ?? error.message };
      }),
    };
  }
  return { value: document.toJS() as unknown, problems: [] };
}

/**
 * The line of the YAML where a problem's path (`steps.0.url`) is, so the API's messages (the
 * same as the CLI's) show next to what they are about. A path that names a missing key points at
 * its parent, the nearest thing that exists.
 */
export function lineOfPath(text: string, path: string): number | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  let node: unknown = document.contents;
  let found: number | undefined = rangeLine(node, lineCounter);
  for (const segment of path.split('.').filter(Boolean)) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key) === segment);
      next = pair?.value ?? undefined;
      if (pair && next === undefined) next = pair.key;
    } else if (isSeq(node)) {
      next = node.items[Number(segment)];
    }
    if (next === undefined || next === null) break;
    node = next;
    found = rangeLine(node, lineCounter) ?? found;
  }
  return found;
}

function rangeLine(node: unknown, lineCounter: LineCounter): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lineCounter.linePos(range[0]).line : undefined;
}
