import { useEffect, useState } from 'preact/hooks';
import { whenUnauthorized } from './api/client';
import { match, useLocation } from './router';
import { isSignedIn, resume, type Session, signOut } from './session';
import { Layout } from './ui/layout';
import { Loading } from './ui/states';
import { DeadLettersView } from './views/dead-letters';
import { DeadLetterRedirect } from './views/dead-letter-redirect';
import { EventDetailView } from './views/event-detail';
import { EventsView } from './views/events';
import { NotFoundView } from './views/not-found';
import { OverviewView } from './views/overview';
import { RejectionsView } from './views/rejections';
import { RuleDetailView } from './views/rule-detail';
import { RulesView } from './views/rules';
import { RunDetailView } from './views/run-detail';
import { SignInView } from './views/sign-in';
import { SourceDetailView } from './views/source-detail';
import { SourcesView } from './views/sources';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [signedOutBecause, setSignedOutBecause] = useState<string>();

  useEffect(() => {
    void resume().then((resumed) => setSession(resumed ?? null));
    whenUnauthorized((problem) => {
      // A wrong key at sign-in is answered on the sign-in form; only a key this tab held was "signed out".
      if (!isSignedIn()) return;
      signOut();
      setSignedOutBecause(`You were signed out: ${problem.message}.`);
      setSession(null);
    });
  }, []);

  if (session === undefined) return <Loading what="Opening the console" />;
  if (session === null) {
    return (
      <SignInView
        reason={signedOutBecause}
        onSignedIn={(next) => {
          setSignedOutBecause(undefined);
          setSession(next);
        }}
      />
    );
  }
  return (
    <Layout
      session={session}
      onSignOut={() => {
        signOut();
        setSignedOutBecause('You signed out; the key was removed from this tab.');
        setSession(null);
      }}
    >
      <Routes session={session} />
    </Layout>
  );
}

function Routes({ session }: { session: Session }) {
  const { path, query } = useLocation();
  const props = { session, query };
  let params: Record<string, string> | undefined;
  if (path === '/' || path === '') return <OverviewView {...props} />;
  if (path === '/dead-letters') return <DeadLettersView {...props} />;
  if ((params = match('/dead-letters/:id', path))) return <DeadLetterRedirect {...props} id={params.id ?? ''} />;
  if ((params = match('/runs/:id', path))) return <RunDetailView key={params.id} {...props} id={params.id ?? ''} />;
  if (path === '/events') return <EventsView {...props} />;
  if ((params = match('/events/:id', path))) return <EventDetailView key={params.id} {...props} id={params.id ?? ''} />;
  if (path === '/rules') return <RulesView {...props} />;
  if ((params = match('/rules/:id', path))) return <RuleDetailView key={params.id} {...props} id={params.id ?? ''} />;
  if (path === '/sources') return <SourcesView {...props} />;
  if ((params = match('/sources/:id', path))) return <SourceDetailView key={params.id} {...props} id={params.id ?? ''} />;
  if (path === '/rejections') return <RejectionsView {...props} />;
  return <NotFoundView />;
}
