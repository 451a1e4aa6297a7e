import { useState } from 'preact/hooks';
import { formatTime } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { toYaml } from '../lib/yaml-text';
import { href } from '../router';
import { READ_ONLY_REASON, type Session } from '../session';
import { EnabledBadge, OriginBadge } from '../ui/badges';
import { CodeBlock, CopyButton, Facts, Section } from '../ui/bits';
import { ErrorState, Loading, Notice } from '../ui/states';
import { DryRunPanel } from './dry-run';
import { RuleEditor } from './rule-editor';

export function RuleDetailView({ session, id }: { session: Session; id: string }) {
  const { api } = session;
  const rule = useAsync((signal) => api.get('/rules/{id}', { path: { id }, signal }), [id]);
  const versions = useAsync(
    (signal) => api.get('/rules/{id}/versions', { path: { id }, query: { limit: 20 }, signal }),
    [id, rule.data?.version],
  );
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Record<string, unknown>>();
  const [saved, setSaved] = useState<string>();

  if (rule.error) return <ErrorState error={rule.error} retry={rule.reload} title={`Could not load rule ${id}`} />;
  if (!rule.data) return <Loading what="Loading the rule" />;
  const data = rule.data;
  const editable = data.origin !== 'yaml';
  const yaml = toYaml({ id: data.id, ...data.definition });
  const whyNotEditable = !editable
    ? 'This rule comes from the rules directory: change it in its file (the API answers 409 managed_by_yaml).'
    : !session.canWrite
      ? READ_ONLY_REASON
      : undefined;

  return (
    <div class="stack">
      <div class="page-header">
        <p class="crumbs">
          <a href={href('/rules')}>Rules</a> › {data.id}
        </p>
        <h1>
          Rule {data.id} <EnabledBadge enabled={data.enabled} /> <OriginBadge origin={data.origin} />
        </h1>
        <Facts
          items={[
            [
              'Source',
              data.source === '*' ? 'every source' : <a href={href(`/sources/${encodeURIComponent(data.source)}`)}>{data.source}</a>,
            ],
            ['Version', `v${data.version}`],
            ['Updated', formatTime(data.updatedAt)],
          ]}
        />
        <p class="links">
          <a href={href('/dead-letters', { rule: data.id, status: 'pending' })}>Pending dead letters</a>
        </p>
      </div>
      <Section
        title="Definition"
        id="definition"
        actions={
          editing ? null : (
            <>
              <CopyButton text={yaml} label="Copy YAML" />
              <button
                type="button"
                class="button button-primary"
                disabled={whyNotEditable !== undefined}
                title={whyNotEditable}
                onClick={() => setEditing(true)}
              >
                Edit
              </button>
            </>
          )
        }
      >
        {saved ? <Notice kind="success">{saved}</Notice> : null}
        {whyNotEditable ? <p class="muted small">{whyNotEditable}</p> : null}
        {editing ? (
          <RuleEditor
            session={session}
            rule={data}
            initialYaml={yaml}
            onDraft={setDraft}
            onCancel={() => {
              setEditing(false);
              setDraft(undefined);
            }}
            onSaved={(next) => {
              setEditing(false);
              setDraft(undefined);
              setSaved(
                next.version === data.version
                  ? 'Saved: the definition did not change, so no new version was made.'
                  : `Saved as version ${next.version}.`,
              );
              rule.reload();
            }}
          />
        ) : (
          <CodeBlock label="Rule YAML">{yaml}</CodeBlock>
        )}
      </Section>
      <DryRunPanel session={session} rule={data} draft={editing ? draft : undefined} />
      <Section title="Versions" id="versions">
        {versions.error ? (
          <ErrorState error={versions.error} retry={versions.reload} />
        ) : !versions.data ? (
          <Loading />
        ) : (
          <ol class="versions">
            {(versions.data.items ?? []).map((version) => (
              <li key={version.version}>
                <details>
                  <summary>
                    v{version.version} {version.current ? <span class="badge badge-info">current</span> : null}{' '}
                    <span class="muted">{formatTime(version.createdAt)}</span> <code class="muted">{version.checksum.slice(0, 12)}</code>
                  </summary>
                  <CodeBlock label={`Version ${version.version}`}>{toYaml({ id: data.id, ...version.definition })}</CodeBlock>
                </details>
              </li>
            ))}
          </ol>
        )}
      </Section>
    </div>
  );
}
