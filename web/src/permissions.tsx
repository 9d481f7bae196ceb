import { createContext, type ReactNode, useCallback, useContext, useMemo } from 'react';
import { api } from './api';
import { useAsync } from './hooks';
import type { Me } from './types';

interface PermissionsValue {
  me: Me | undefined;
  /** Whether /v1/me has answered (or failed). */
  ready: boolean;
  /**
   * Whether to offer an action. Only a UI hint: the server checks every call. When the
   * permissions cannot be read, everything is offered and the server decides.
   */
  can: (permission: string) => boolean;
}

const PermissionsContext = createContext<PermissionsValue>({
  me: undefined,
  ready: true,
  can: () => true,
});

export function PermissionsProvider({ children }: { children: ReactNode }) {
  const me = useAsync(() => api.me(), []);
  const granted = me.data?.permissions;
  const can = useCallback(
    (permission: string) => !granted || granted.length === 0 || granted.includes(permission),
    [granted],
  );
  const value = useMemo(
    () => ({ me: me.data, ready: !me.loading, can }),
    [me.data, me.loading, can],
  );
  return <PermissionsContext.Provider value={value}>{children}</PermissionsContext.Provider>;
}

export function usePermissions(): PermissionsValue {
  return useContext(PermissionsContext);
}
