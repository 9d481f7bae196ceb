// The contact import pages' paths (SoReach, issue 4), for routes.tsx.
import type { ReactNode } from 'react';
import { matchPath } from '../../router';
import { ImportNewPage } from './ImportNewPage';
import { ImportPage } from './ImportPage';
import { ImportsPage } from './ImportsPage';

export const IMPORTS_NAV = { to: '/soreach/imports', label: 'soreach.nav.imports', testId: 'nav-soreach-imports', permission: 'contacts:read' } as const;

/** The page of a /soreach/imports path, or null. */
export function importsRoute(path: string): ReactNode | null {
  if (path === '/soreach/imports') return <ImportsPage />;
  if (path === '/soreach/imports/new') return <ImportNewPage />;
  const match = matchPath('/soreach/imports/:id', path);
  if (match?.id) return <ImportPage key={match.id} importId={match.id} />;
  return null;
}
