import { fromLocalInput, toLocalInput } from '../lib/format';
import { Field } from './bits';

/** A listing's time range: local date-times in the inputs, RFC 3339 (what the API takes) in `onChange` and the URL. */
export function TimeRangeFields({
  from,
  to,
  onChange,
}: {
  from: string | undefined;
  to: string | undefined;
  onChange: (name: 'from' | 'to', value: string) => void;
}) {
  const changed = (name: 'from' | 'to') => (event: Event) =>
    onChange(name, fromLocalInput((event.currentTarget as HTMLInputElement).value) ?? '');
  return (
    <>
      <Field label="From">
        <input type="datetime-local" value={toLocalInput(from)} onChange={changed('from')} />
      </Field>
      <Field label="To">
        <input type="datetime-local" value={toLocalInput(to)} onChange={changed('to')} />
      </Field>
    </>
  );
}

/** A filter form's buttons: `label` submits it, Reset opens the listing without filters. */
export function FilterActions({ label, resetHref }: { label: string; resetHref: string }) {
  return (
    <div class="filter-actions">
      <button type="submit" class="button button-primary">
        {label}
      </button>
      <a class="button" href={resetHref}>
        Reset
      </a>
    </div>
  );
}
