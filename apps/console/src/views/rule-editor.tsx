import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiProblem, Schemas } from '../api/client';
import { asProblem } from '../lib/use-async';
import { lineOfPath, parseYaml, type YamlProblem } from '../lib/yaml-text';
import type { Session } from '../session';
import { ErrorState, Notice } from '../ui/states';

/**
 * Edits an API-managed rule as YAML. "Check" and "Save" send it to the admin API, which checks it
 * exactly as a rules file is checked (`hookflow validate`, `hookflow apply`): its messages are shown
 * next to the lines they are about, and nothing is saved while any remains.
 */
export function RuleEditor({
  session,
  rule,
  initialYaml,
  onDraft,
  onCancel,
  onSaved,
}: {
  session: Session;
  rule: Schemas['RuleView'];
  initialYaml: string;
  onDraft: (draft: Record<string, unknown> | undefined) => void;
  onCancel: () => void;
  onSaved: (rule: Schemas['RuleView']) => void;
}) {
  const [text, setText] = useState(initialYaml);
  const [problems, setProblems] = useState<YamlProblem[]>([]);
  const [failure, setFailure] = useState<ApiProblem>();
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const escaped = useRef(false);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => text.split('\n').length, [text]);
  const problemLines = new Set(problems.map((problem) => problem.line).filter((line): line is number => line !== undefined));

  useEffect(() => area.current?.focus(), []);
  useEffect(() => {
    const parsed = parseYaml(text);
    onDraft(isObject(parsed.value) ? { ...parsed.value, enabled: undefined } : undefined);
  }, [text]);

  /** The definition to send, or the YAML syntax problems (no request is made for those). */
  const definition = (): Record<string, unknown> | undefined => {
    const parsed = parseYaml(text);
    if (parsed.problems.length > 0) {
      setProblems(parsed.problems);
      return undefined;
    }
    if (!isObject(parsed.value)) {
      setProblems([{ line: 1, message: 'a rule is a mapping (id, source, events, steps, …)' }]);
      return undefined;
    }
    return parsed.value;
  };

  const submit = async (mode: 'check' | 'save'): Promise<void> => {
    if (busy) return; // Ctrl+Enter while a save is under way must not send it twice
    setFailure(undefined);
    setChecked(false);
    const body = definition();
    if (!body) return;
    setBusy(true);
    try {
      if (mode === 'check') {
        // The unsaved dry run checks the definition as POST/PUT /rules do and needs only a sample event.
        await session.api.post('/rules/test', {
          body: {
            rule: body as Schemas['RuleDefinitionDto'],
            event: { source: rule.source === '*' ? undefined : rule.source, payload: {} },
          },
        });
        setProblems([]);
        setChecked(true);
      } else {
        onSaved(await session.api.put('/rules/{id}', { path: { id: rule.id }, body: body as Schemas['RuleDefinitionDto'] }));
      }
    } catch (error) {
      const problem = asProblem(error);
      if (problem.code === 'validation_failed' && problem.details.length > 0) {
        setProblems(problem.details.map((detail) => ({ path: detail.path, message: detail.message, line: lineOfPath(text, detail.path) })));
      } else {
        setProblems([]);
        setFailure(problem);
      }
    } finally {
      setBusy(false);
    }
  };

  const goTo = (line: number | undefined): void => {
    const textarea = area.current;
    if (!textarea || line === undefined) return;
    const offset = text
      .split('\n')
      .slice(0, line - 1)
      .reduce((sum, current) => sum + current.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(offset, offset + (text.split('\n')[line - 1]?.length ?? 0));
    const lineHeight = textarea.scrollHeight / Math.max(1, lines);
    textarea.scrollTop = Math.max(0, (line - 4) * lineHeight);
  };

  return (
    <form
      class="editor"
      onSubmit={(event) => {
        event.preventDefault();
        void submit('save');
      }}
    >
      <div class={`editor-frame ${problems.length ? 'has-problems' : ''}`}>
        <div class="editor-gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, index) => (
            <div key={index} class={problemLines.has(index + 1) ? 'gutter-line problem' : 'gutter-line'}>
              {index + 1}
            </div>
          ))}
        </div>
        <textarea
          ref={area}
          class="editor-text"
          spellcheck={false}
          wrap="off"
          aria-label={`YAML of rule ${rule.id}`}
          aria-invalid={problems.length > 0 ? true : undefined}
          aria-describedby={problems.length > 0 ? 'rule-problems' : undefined}
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
          onKeyDown={(event) => {
            if (event.key === 'Tab' && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
              // Two spaces, as YAML indents; Escape then Tab leaves the editor (keyboard users are never trapped).
              if (escaped.current) return;
              event.preventDefault();
              const textarea = event.currentTarget;
              textarea.setRangeText('  ', textarea.selectionStart, textarea.selectionEnd, 'end');
              setText(textarea.value);
            }
            escaped.current = event.key === 'Escape';
            if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') void submit('save');
          }}
        />
      </div>
      <p class="muted small">
        Tab indents; press Escape, then Tab, to leave the editor. Ctrl+Enter saves. <code>{'${VAR}'}</code> may name only the variables
        listed in <code>HOOKFLOW_API_VARIABLES</code>.
      </p>
      {problems.length > 0 ? (
        <div class="problems" id="rule-problems" role="alert">
          <p class="problems-title">
            {problems.length} problem{problems.length === 1 ? '' : 's'}: nothing was saved.
          </p>
          <ul>
            {problems.map((problem, index) => (
              <li key={`${problem.path ?? ''}${index}`}>
                <button type="button" class="link-button" onClick={() => goTo(problem.line)} disabled={problem.line === undefined}>
                  {problem.line !== undefined ? `line ${problem.line}` : 'rule'}
                </button>{' '}
                {problem.path ? <code>{problem.path}</code> : null} <span class="problem-message">{problem.message}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {checked ? <Notice kind="success">No problems: the rule passes the same checks as a rules file.</Notice> : null}
      {failure ? <ErrorState error={failure} title="Not saved" /> : null}
      <div class="editor-actions">
        <button type="button" class="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" class="button" onClick={() => void submit('check')} disabled={busy}>
          Check
        </button>
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
