import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { JobDefinition } from '../jobs/jobs.ts';
import { recordAudit, verifyAuditTrail } from './audit.ts';

/**
 * Every night, every chain of the audit trail is recomputed; the result is itself an entry of the
 * platform chain, and a broken chain is logged as an error for the security team.
 */
export function auditVerifyJob(db: Database, clock: Clock, alert: (message: string) => void): JobDefinition {
  return {
    name: 'platform.audit.verify',
    description: 'Recomputes every audit chain and records the result',
    schedule: { cron: '30 2 * * *', tz: 'Europe/Paris' },
    retryLimit: 1,
    handler: async () => {
      const reports = await verifyAuditTrail(db);
      const broken = reports.filter((report) => !report.ok);
      await recordAudit(db, { actor: { type: 'system', id: 'audit-verify', label: 'nightly audit verification' }, ip: null, requestId: null }, {
        tenantId: null,
        action: broken.length ? 'audit.verification_failed' : 'audit.verified',
        summary: { chains: reports.length, entries: reports.reduce((n, r) => n + r.entries, 0), broken: broken.map((b) => ({ chain: b.chain, ...b.problem })) },
        at: clock.now(),
      });
      if (broken.length) alert(`audit trail broken in ${broken.length} chain(s): ${broken.map((b) => b.chain).join(', ')}`);
      return { chains: reports.length, broken: broken.length };
    },
  };
}
