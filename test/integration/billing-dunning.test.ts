import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpConnector } from '../../src/channels/smtp/index.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { SandboxSmtpServer } from '../../src/sandbox/smtp/index.ts';
import { bearer, createTenant, createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { operatorContext, signContract, userContext } from './billing-support.ts';

/**
 * R-DUNNING end to end with a fixed clock: an invoice due on Wednesday 6 May 2026 is unpaid; the
 * formal notice goes on Thursday 7 May — the day before Victory Day (Friday 8), a week with
 * Ascension (Thursday 14) — so the 5 French business days run to Monday 18 May and suspension is
 * possible from Tuesday 19. The notice is really sent over SMTP (the sandbox server) and
 * acknowledged through its link; the tenant is suspended (its sending stops), pays on 21 May and
 * is reactivated the same day; the May invoice says why service was suspended and still bills it.
 */
const clock = new FixedClock('2026-04-06T09:00:00Z');
const smtp = new SandboxSmtpServer({ host: '127.0.0.1', port: 0 });
let platform: TestPlatform;

beforeAll(async () => {
  await smtp.start();
  platform = await createTestPlatform({ clock });
});

afterAll(async () => {
  await platform?.close();
  await smtp.stop();
});

const billing = () => platform.services.billing;
const mailer = () => new SmtpConnector({ host: smtp.host, port: smtp.port, ignoreTLS: true, maxConnections: 1 });

describe('dunning', () => {
  it('notice on Thursday 7 May → 5 business days → suspended on 19 May → paid on 21 May → reactivated the same day', async () => {
    clock.set('2026-04-06T09:00:00Z');
    const tenant = await createTenant(platform);
    const { onboardingInvoiceId, form, ctx } = await signContract(platform, tenant.tenantId, '2026-04-06', { startDate: '2026-04-06', poiCount: 10, onboardingFeeCents: 49000 });
    const invoiceId = onboardingInvoiceId as string;
    expect(await billing().invoicing.operatorInvoice(ctx, invoiceId)).toMatchObject({ issueDate: '2026-04-06', dueDate: '2026-05-06', totalTtcCents: 58800 });

    clock.set('2026-05-06T20:00:00Z'); // the due date itself: not late yet
    expect(await billing().dunning.run()).toMatchObject({ opened: 0, noticesSent: 0 });

    clock.set('2026-05-07T07:00:00Z'); // Thursday
    expect(await billing().dunning.run()).toMatchObject({ opened: 1, noticesSent: 1, suspended: 0 });
    let [kase] = await billing().dunning.board(ctx, { includeClosed: false, tenantId: tenant.tenantId });
    expect(kase).toMatchObject({ status: 'notice_sent', noticeSentOn: '2026-05-07', regularisationDeadline: '2026-05-18', suspensionEligibleOn: '2026-05-19', amountDueCents: 58800 });

    // The formal notice really leaves by SMTP, to the billing contact and the owner.
    const connector = mailer();
    expect(await billing().dunning.deliverEmails(connector)).toEqual({ sent: 1, failed: 0 });
    await connector.close();
    const [mail] = smtp.inbox(form.billingEmail);
    expect(mail?.subject).toMatch(/^Mise en demeure de payer — FA-2026-\d{6}$/);
    expect(mail?.to).toEqual(expect.arrayContaining([form.billingEmail, tenant.ownerEmail]));
    expect(mail?.text).toContain('au plus tard le 18/05/2026');
    expect(mail?.text).toContain('à compter du 19/05/2026');
    const token = /\/billing\/acknowledge\/([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
    expect(token).toBeDefined();

    // Acknowledgement through the link: the page, then the confirmation.
    const page = await platform.app.inject({ method: 'GET', url: `/billing/acknowledge/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Mise en demeure');
    const confirmed = await platform.app.inject({ method: 'POST', url: `/billing/acknowledge/${token}` });
    expect(confirmed.statusCode).toBe(200);
    expect((await platform.app.inject({ method: 'POST', url: '/billing/acknowledge/not-a-token' })).statusCode).toBe(404);

    clock.set('2026-05-18T20:00:00Z'); // Monday: the client may still pay today
    expect(await billing().dunning.run()).toMatchObject({ eligible: 0, suspended: 0 });
    expect((await platform.services.tenantAdmin.list('system:test', {})).find((t) => t.id === tenant.tenantId)?.status).toBe('active');

    clock.set('2026-05-19T05:00:00Z'); // Tuesday: eligible, and suspended
    expect(await billing().dunning.run()).toMatchObject({ eligible: 1, suspended: 1 });
    expect((await platform.services.tenantAdmin.list('system:test', {})).find((t) => t.id === tenant.tenantId)).toMatchObject({ status: 'suspended_nonpayment' });
    const refused = await platform.app.inject({ method: 'POST', url: '/v1/messages', headers: bearer(tenant.apiKey), payload: { channel: 'sms', route: 'alert', to: '+33612345678', text: 'Code 1234' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'tenant_suspended', suspension: 'nonpayment' });
    // A second run the same day changes nothing.
    expect(await billing().dunning.run()).toMatchObject({ opened: 0, noticesSent: 0, eligible: 0, suspended: 0 });

    // The client sees its procedure too.
    const [seen] = await billing().dunning.clientCases(userContext(tenant.tenantId, 'owner'));
    expect(seen).toMatchObject({ status: 'suspended_nonpayment', suspendedOn: '2026-05-19', noticeAcknowledgedOn: '2026-05-07' });
    await expect(billing().dunning.clientCases(userContext(tenant.tenantId, 'agent'))).rejects.toMatchObject({ code: 'forbidden' });

    clock.set('2026-05-21T14:00:00Z'); // paid on Thursday 21 May
    await billing().payments.recordPayment(ctx, { tenantId: tenant.tenantId, amountCents: 58800, receivedOn: '2026-05-21', method: 'transfer', reference: 'FA' });
    expect((await platform.services.tenantAdmin.list('system:test', {})).find((t) => t.id === tenant.tenantId)).toMatchObject({ status: 'active' });
    [kase] = await billing().dunning.board(ctx, { includeClosed: true, tenantId: tenant.tenantId });
    expect(kase).toMatchObject({ status: 'reactivated', open: false, paidOn: '2026-05-21', reactivatedOn: '2026-05-21', nextActions: [] });
    expect(kase?.timeline.map((e) => e.kind)).toEqual(['opened', 'notice_sent', 'notice_delivered', 'notice_acknowledged', 'suspension_eligible', 'suspended', 'paid', 'reactivated']);
    const accepted = await platform.app.inject({ method: 'POST', url: '/v1/messages', headers: bearer(tenant.apiKey), payload: { channel: 'sms', route: 'alert', to: '+33612345678', text: 'Code 1234' } });
    expect(accepted.statusCode).toBe(202);

    // R-LATE on the paid invoice: 15 days late at 7.86 % on 588.00 → 1.90, plus the 40 € indemnity.
    expect(await billing().invoicing.operatorInvoice(ctx, invoiceId)).toMatchObject({ paymentStatus: 'paid', latePenalty: { daysLate: 15, interestCents: 190, indemnityCents: 4000, totalCents: 4190 } });

    // The May invoice bills the subscription in full and says why the service was suspended.
    clock.set('2026-06-01T06:00:00Z');
    const run = await billing().invoicing.runPeriod('2026-05-01', { issue: true });
    const may = (await billing().invoicing.getRun(ctx, run.id)).invoices.find((i) => i.tenantId === tenant.tenantId);
    expect(may?.notes).toEqual(['Service suspendu pour impayé du 19/05/2026 au 21/05/2026 : abonnement dû (art. 7.2)']);
    expect(may?.lines).toEqual([expect.objectContaining({ kind: 'subscription', quantity: '10', prorata: null, amountHtCents: 29000 })]);
    expect(may?.status).toBe('issued');
  });

  it('late penalties: 1 200.00 TTC paid 30 days late at 7.86 % → 7.75 + 40.00', async () => {
    clock.set('2026-02-01T09:00:00Z');
    const tenant = await createTenant(platform);
    const { onboardingInvoiceId, ctx } = await signContract(platform, tenant.tenantId, '2026-02-01', { onboardingFeeCents: 100000 });
    const invoice = await billing().invoicing.operatorInvoice(ctx, onboardingInvoiceId as string);
    expect(invoice).toMatchObject({ totalTtcCents: 120000, dueDate: '2026-03-03' });
    clock.set('2026-04-02T09:00:00Z');
    await billing().payments.recordPayment(operatorContext(), { tenantId: tenant.tenantId, amountCents: 120000, receivedOn: '2026-04-02', method: 'transfer' });
    expect(await billing().invoicing.operatorInvoice(ctx, invoice.id)).toMatchObject({ paidOn: '2026-04-02', latePenalty: { daysLate: 30, interestCents: 775, indemnityCents: 4000 } });
  });
});
