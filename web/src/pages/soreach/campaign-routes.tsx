// The Campaigns pages' paths (SoReach, issue 4), for routes.tsx.
import type { ReactNode } from 'react';
import { matchPath } from '../../router';
import { CampaignDetailPage, NewCampaignPage } from './CampaignEditorPage';
import { CampaignReportPage } from './CampaignReportPage';
import { CampaignsPage } from './CampaignsPage';

export const CAMPAIGNS_NAV = { to: '/soreach/campaigns', label: 'soreach.nav.campaigns', testId: 'nav-soreach-campaigns' } as const;

/** The page of a /soreach/campaigns path, or null. */
export function campaignsRoute(path: string): ReactNode | null {
  if (path === '/soreach/campaigns') return <CampaignsPage view="list" />;
  if (path === '/soreach/campaigns/calendar') return <CampaignsPage view="calendar" />;
  if (path === '/soreach/campaigns/new') return <NewCampaignPage />;
  const report = matchPath('/soreach/campaigns/:id/report', path);
  if (report?.id) return <CampaignReportPage key={report.id} campaignId={report.id} />;
  const match = matchPath('/soreach/campaigns/:id', path);
  if (match?.id) return <CampaignDetailPage key={match.id} campaignId={match.id} />;
  return null;
}
