// The Segments pages' paths (SoReach, issue 4), for routes.tsx.
import type { ReactNode } from 'react';
import { matchPath } from '../../router';
import { NewSegmentPage, SegmentDetailRoute } from './SegmentEditorPage';
import { SegmentListPage } from './SegmentListPage';
import { SegmentsPage } from './SegmentsPage';

export const SEGMENTS_NAV = { to: '/soreach/segments', label: 'soreach.nav.segments', testId: 'nav-soreach-segments', permission: 'contacts:read' } as const;

/** The page of a /soreach/segments path, or null. */
export function segmentsRoute(path: string): ReactNode | null {
  if (path === '/soreach/segments') return <SegmentsPage />;
  if (path === '/soreach/segments/new') return <NewSegmentPage />;
  const match = matchPath('/soreach/segments/:id', path);
  if (match?.id) return <SegmentDetailRoute key={match.id} segmentId={match.id} renderList={(segment, reload) => <SegmentListPage key={segment.updatedAt} segment={segment} onChanged={reload} />} />;
  return null;
}
