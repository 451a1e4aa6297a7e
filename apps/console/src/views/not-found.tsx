import { href } from '../router';
import { EmptyState } from '../ui/states';

export function NotFoundView() {
  return (
    <EmptyState title="There is no such page in the console">
      <p>
        The link may be mistyped or from a newer version. Go to the <a href={href('/')}>overview</a>.
      </p>
    </EmptyState>
  );
}
