// SoReach's pages in the console (issue 4). The Shell asks `soreachRoute` for any /soreach path
// and lists SOREACH_NAV under the SoReach product; each SoReach area (contacts, imports,
// segments, campaigns) adds its entry and its paths here.
import { type ReactNode, useEffect } from 'react';
import type { MessageKey } from '../../i18n';
import { matchPath, navigate } from '../../router';
import { ContactAttributesPage } from './ContactAttributesPage';
import { ContactDetailPage } from './ContactDetailPage';
import { ContactsPage } from './ContactsPage';
import { SEGMENTS_NAV, segmentsRoute } from './segments-routes';
import { IMPORTS_NAV, importsRoute } from './import-routes';
import { CAMPAIGNS_NAV, campaignsRoute } from './campaign-routes';

export interface SoReachNavItem {
  to: string;
  label: MessageKey;
  testId: string;
  /** Hidden without it (a hint only: the API checks every call). */
  permission?: string;
}

export const SOREACH_NAV: SoReachNavItem[] = [
  { to: '/soreach/contacts', label: 'soreach.nav.contacts', testId: 'nav-soreach-contacts', permission: 'contacts:read' },
  // Beside Contacts, not under /soreach/contacts/ (that is a contact's id).
  { to: '/soreach/contact-fields', label: 'soreach.nav.contactFields', testId: 'nav-soreach-contact-fields', permission: 'contacts:read' },
  IMPORTS_NAV,
  SEGMENTS_NAV,
  CAMPAIGNS_NAV,
];

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** The page of a /soreach path, or null when it is none of SoReach's. */
export function soreachRoute(path: string): ReactNode | null {
  if (path === '/soreach' || path === '/soreach/') return <Redirect to={SOREACH_NAV[0]?.to ?? '/soreach/contacts'} />;
  if (path === '/soreach/contacts') return <ContactsPage />;
  if (path === '/soreach/contact-fields') return <ContactAttributesPage />;
  const contact = matchPath('/soreach/contacts/:id', path);
  if (contact?.id) return <ContactDetailPage key={contact.id} contactId={contact.id} />;
  if (path.startsWith('/soreach/segments')) return segmentsRoute(path);
  if (path.startsWith('/soreach/imports')) return importsRoute(path);
  if (path.startsWith('/soreach/campaigns')) return campaignsRoute(path);
  return null;
}
