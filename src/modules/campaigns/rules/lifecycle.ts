/**
 * A campaign's life: a marketer prepares it (draft), submits it; when the tenant requires approval
 * (setting `campaignApprovalRequired`) an admin or owner approves it (or sends it back with a
 * reason); then it waits for its time (scheduled), fans out (running; `testing` while the A/B test
 * groups wait for the winner), and completes when every message was handed to the send path and
 * the last one's time has passed. It can be paused and resumed, or cancelled, until it completes.
 */

export const CAMPAIGN_STATUSES = ['draft', 'pending_approval', 'scheduled', 'running', 'testing', 'paused', 'completed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export type CampaignAction = 'edit' | 'delete' | 'submit' | 'approve' | 'reject' | 'pause' | 'resume' | 'cancel';

export interface ActionContext {
  /** Tenant setting: a submission waits for an admin or owner. */
  approvalRequired: boolean;
  /** The actor holds `campaigns:approve` (admin, owner). */
  canApprove: boolean;
  /** For resume: where the campaign was when paused. */
  resumeTo?: CampaignStatus;
}

export type Transition = { ok: true; to: CampaignStatus; approved: boolean } | { ok: false; message: string };

const refuse = (message: string): Transition => ({ ok: false, message });
const to = (status: CampaignStatus, approved = false): Transition => ({ ok: true, to: status, approved });

/** What `action` does to a campaign in `status`, or why it may not. */
export function transition(status: CampaignStatus, action: CampaignAction, context: ActionContext): Transition {
  switch (action) {
    case 'edit':
      // Editing a submitted or approved campaign withdraws it: what is approved is what is sent.
      if (status === 'draft' || status === 'pending_approval' || status === 'scheduled') return to('draft');
      return refuse(`a ${status} campaign can no longer be edited`);
    case 'delete':
      return status === 'draft' ? to('draft') : refuse('only a draft can be deleted; cancel the campaign instead');
    case 'submit':
      if (status !== 'draft') return refuse(`only a draft can be submitted (this one is ${status})`);
      // An admin or owner submitting approves at the same time; a marketer waits when approval is required.
      if (context.approvalRequired && !context.canApprove) return to('pending_approval');
      return to('scheduled', context.approvalRequired);
    case 'approve':
      if (!context.canApprove) return refuse('only an admin or owner approves campaigns');
      return status === 'pending_approval' ? to('scheduled', true) : refuse(`only a campaign waiting for approval can be approved (this one is ${status})`);
    case 'reject':
      if (!context.canApprove) return refuse('only an admin or owner approves campaigns');
      return status === 'pending_approval' ? to('draft') : refuse(`only a campaign waiting for approval can be sent back (this one is ${status})`);
    case 'pause':
      return status === 'scheduled' || status === 'running' || status === 'testing' ? to('paused') : refuse(`a ${status} campaign cannot be paused`);
    case 'resume':
      if (status !== 'paused') return refuse(`only a paused campaign can be resumed (this one is ${status})`);
      return to(context.resumeTo ?? 'running');
    case 'cancel':
      return status === 'completed' || status === 'cancelled' || status === 'draft' ? refuse(`a ${status} campaign cannot be cancelled`) : to('cancelled');
  }
}

/** Where a paused campaign goes back to: not started yet, in its A/B test, or sending. */
export function resumeTarget(campaign: { startedAt: Date | null; phase: string | null; winnerVariant: string | null }): CampaignStatus {
  if (!campaign.startedAt) return 'scheduled';
  if (campaign.phase === 'test' && !campaign.winnerVariant) return 'testing';
  return 'running';
}

/** Statuses whose campaign is shown on the calendar. */
export const CALENDAR_STATUSES: readonly CampaignStatus[] = ['pending_approval', 'scheduled', 'running', 'testing', 'paused', 'completed'];
