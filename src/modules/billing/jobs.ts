import type { JobDefinition } from '../../platform/jobs/jobs.ts';
import { todayIn } from './common.ts';
import type { Mailer } from './dunning.ts';
import { addMonths, firstDayOfMonth } from './rules.ts';
import type { Billing } from './service.ts';

/** A mailer opened for one delivery round and closed after it (the SMTP connector, or a test double). */
export type MailerFactory = () => Mailer & { close(): Promise<void> };

async function deliver(billing: Billing, mailers: MailerFactory): Promise<{ sent: number; failed: number }> {
  const mailer = mailers();
  try {
    return await billing.dunning.deliverEmails(mailer);
  } finally {
    await mailer.close();
  }
}

/** The billing jobs (pg-boss): the daily contracts and dunning step, email delivery, the monthly invoice run. */
export function billingJobs(billing: Billing, mailers: MailerFactory, clock: { now(): Date }): JobDefinition<object>[] {
  const daily: JobDefinition<{ date?: string }> = {
    name: 'billing.daily',
    description: 'Contracts (renewals, SYNTEC revisions, POI changes) and dunning (formal notices, suspension, reactivation)',
    schedule: { cron: '30 6 * * *', tz: 'Europe/Paris' },
    handler: async (data) => {
      const today = data.date ?? todayIn(clock);
      const contracts = await billing.contracts.upkeep(today);
      const dunning = await billing.dunning.run(today);
      const emails = await deliver(billing, mailers);
      return { today, contracts, dunning, emails };
    },
  };
  const emails: JobDefinition = {
    name: 'billing.emails',
    description: 'Sends pending billing emails (formal notices, SEPA pre-notifications) over SMTP',
    schedule: { cron: '*/5 * * * *', tz: 'Europe/Paris' },
    handler: () => deliver(billing, mailers),
  };
  const run: JobDefinition<{ period?: string; issue?: boolean }> = {
    name: 'billing.invoice-run',
    description: 'Monthly invoice run: prepares last month’s invoices as a preview (operators issue them), idempotent per period and tenant',
    schedule: { cron: '0 6 1 * *', tz: 'Europe/Paris' },
    retryLimit: 1,
    expireInSeconds: 60 * 60,
    handler: async (data) => {
      const periodStart = data.period ? `${data.period}-01` : addMonths(firstDayOfMonth(todayIn(clock)), -1);
      const view = await billing.invoicing.runPeriod(periodStart, { issue: data.issue === true });
      return { runId: view.id, periodStart: view.periodStart, status: view.status, invoices: view.invoices, drafts: view.drafts, warnings: view.warnings };
    },
  };
  return [daily, emails, run] as unknown as JobDefinition<object>[];
}
