import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';
import { api, rememberSession, setUnauthorizedHandler } from './api';
import { useI18n } from './i18n';
import { navigate } from './router';
import type { Session } from './types';

type LoadState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; session: Session };

interface SessionContextValue {
  session: Session;
  /** Set when the API answered 401 to an ordinary call: shown on the login page. */
  expired: boolean;
  setSession: (session: Session) => void;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

const signedOut: Session = { authenticated: false };

export function useSessionLoader() {
  const { adoptLocale } = useI18n();
  const [state, setState] = useState<LoadState>({ status: 'loading' });
  const [expired, setExpired] = useState(false);

  const load = useCallback(() => {
    setState({ status: 'loading' });
    api.auth
      .session()
      .then((session) => setState({ status: 'ready', session }))
      .catch((error: unknown) => setState({ status: 'error', error }));
  }, []);

  useEffect(load, [load]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      rememberSession(signedOut);
      setExpired(true);
      setState({ status: 'ready', session: signedOut });
    });
    return () => setUnauthorizedHandler(null);
  }, []);

  const session = state.status === 'ready' ? state.session : null;
  const userLocale = session?.user?.locale;
  useEffect(() => {
    if (userLocale) adoptLocale(userLocale);
  }, [userLocale, adoptLocale]);

  const setSession = useCallback((next: Session) => {
    rememberSession(next);
    if (next.authenticated) setExpired(false);
    setState({ status: 'ready', session: next });
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.auth.logout();
    } finally {
      setExpired(false);
      setSession(signedOut);
      // The next person to sign in starts from their own home page.
      navigate('/', { replace: true });
    }
  }, [setSession]);

  return { state, expired, setSession, logout, retry: load };
}

export function SessionProvider({
  session,
  expired,
  setSession,
  logout,
  children,
}: SessionContextValue & { children: ReactNode }) {
  const value = useMemo(
    () => ({ session, expired, setSession, logout }),
    [session, expired, setSession, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}
