import { useEffect } from 'preact/hooks';
import { useAsync } from '../lib/use-async';
import { href, navigate } from '../router';
import type { Session } from '../session';
import { ErrorState, Loading } from '../ui/states';

/** A dead letter's link (the CLI prints dead letter ids) opens the run that died, where its attempts are. */
export function DeadLetterRedirect({ session, id }: { session: Session; id: string }) {
  const deadLetter = useAsync((signal) => session.api.get('/dead-letters/{id}', { path: { id }, signal }), [id]);
  useEffect(() => {
    if (deadLetter.data) navigate(href(`/runs/${deadLetter.data.runId}`), { replace: true });
  }, [deadLetter.data]);
  if (deadLetter.error) return <ErrorState error={deadLetter.error} retry={deadLetter.reload} title="Could not open this dead letter" />;
  return <Loading what="Opening the dead letter’s run" />;
}
