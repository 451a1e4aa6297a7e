import { href } from '../router';

/**
 * Keyset pagination: "Older" follows the API's cursor, so the page holds however many items
 * arrive meanwhile; "Newest" goes back to the first page. The cursor is in the URL, so a page can
 * be linked to as well.
 */
export function Pager({
  path,
  query,
  nextCursor,
  onFirstPage,
  count,
}: {
  path: string;
  query: Record<string, string | undefined>;
  nextCursor: string | null | undefined;
  onFirstPage: boolean;
  count: number;
}) {
  return (
    <nav class="pager" aria-label="Pages">
      <span class="muted">
        {count} shown{onFirstPage ? '' : ' (older page)'}
      </span>
      {!onFirstPage ? (
        <a class="button" href={href(path, { ...query, after: undefined })}>
          ← Newest
        </a>
      ) : null}
      {nextCursor ? (
        <a class="button" href={href(path, { ...query, after: nextCursor })} rel="next">
          Older →
        </a>
      ) : (
        <span class="muted">{onFirstPage && count === 0 ? '' : 'End of the list'}</span>
      )}
    </nav>
  );
}
