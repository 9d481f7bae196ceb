import { describe, expect, it } from 'vitest';
import {
  type DunningEvent,
  type DunningState,
  DunningTransitionError,
  nextActions,
  openDunningCase,
  regularisationDeadline,
  suspensionBilling,
  suspensionEligibleOn,
  transition,
} from './dunning.ts';

/** Applies [event, day] pairs in order. */
function run(state: DunningState, steps: [DunningEvent['type'], string][]): DunningState {
  return steps.reduce((current, [type, day]) => transition(current, { type } as DunningEvent, day), state);
}

// An invoice issued 31 March 2026, due 30 April (net 30).
const opened = openDunningCase('2026-04-30', '2026-03-31');

describe('the 5 business days after a formal notice (§7.2)', () => {
  it('a notice sent on Thursday 7 May 2026, before Victory Day and Ascension: pay until Mon 18, suspend from Tue 19', () => {
    expect(regularisationDeadline('2026-05-07')).toBe('2026-05-18');
    expect(suspensionEligibleOn('2026-05-07')).toBe('2026-05-19');
  });

  it('an ordinary Thursday without holidays: pay until the next Thursday, suspend from Friday', () => {
    expect(regularisationDeadline('2026-03-05')).toBe('2026-03-12');
    expect(suspensionEligibleOn('2026-03-05')).toBe('2026-03-13');
  });

  it('a notice sent on a Saturday counts from Monday', () => {
    expect(regularisationDeadline('2026-03-07')).toBe('2026-03-13');
  });

  it('Whit Monday is not a business day (notice on Wednesday 20 May 2026)', () => {
    // Thu 21 (1), Fri 22 (2), Mon 25 Whit Monday, Tue 26 (3), Wed 27 (4), Thu 28 (5).
    expect(regularisationDeadline('2026-05-20')).toBe('2026-05-28');
  });

  it('can fall on a weekend day for eligibility (5th business day a Friday → Saturday)', () => {
    expect(suspensionEligibleOn('2026-03-06')).toBe('2026-03-14');
  });
});

describe('transition — the happy path to suspension and back', () => {
  it('runs overdue → notice → eligible → suspended → paid → reactivated, with dates', () => {
    const overdue = transition(opened, { type: 'due_date_passed' }, '2026-05-01');
    expect(overdue.status).toBe('overdue');
    const notice = transition(overdue, { type: 'notice_sent' }, '2026-05-07');
    expect(notice).toMatchObject({ status: 'notice_sent', noticeSentOn: '2026-05-07', regularisationDeadline: '2026-05-18', suspensionEligibleOn: '2026-05-19' });
    const acknowledged = transition(notice, { type: 'notice_acknowledged', on: '2026-05-08' }, '2026-05-11');
    expect(acknowledged).toMatchObject({ status: 'notice_sent', noticeAcknowledgedOn: '2026-05-08', lastEventOn: '2026-05-07' });
    const eligible = transition(acknowledged, { type: 'regularisation_period_elapsed' }, '2026-05-19');
    expect(eligible.status).toBe('suspension_eligible');
    const suspended = transition(eligible, { type: 'suspended' }, '2026-05-19');
    expect(suspended).toMatchObject({ status: 'suspended_nonpayment', suspendedOn: '2026-05-19' });
    const paid = transition(suspended, { type: 'payment_received' }, '2026-05-22');
    expect(paid).toMatchObject({ status: 'paid', paidOn: '2026-05-22' });
    const reactivated = transition(paid, { type: 'reactivated' }, '2026-05-22');
    expect(reactivated).toMatchObject({ status: 'reactivated', reactivatedOn: '2026-05-22', suspendedOn: '2026-05-19' });
  });

  it('closes as paid from any unpaid state, without reactivation when never suspended', () => {
    expect(transition(opened, { type: 'payment_received' }, '2026-04-10').status).toBe('paid');
    for (const steps of [
      [['due_date_passed', '2026-05-01']],
      [['due_date_passed', '2026-05-01'], ['notice_sent', '2026-05-07']],
      [['due_date_passed', '2026-05-01'], ['notice_sent', '2026-05-07'], ['regularisation_period_elapsed', '2026-05-19']],
    ] as [DunningEvent['type'], string][][]) {
      const paid = transition(run(opened, steps), { type: 'payment_received' }, '2026-05-20');
      expect(paid.status).toBe('paid');
      expect(nextActions(paid, '2026-05-20')).toEqual([]);
      expect(() => transition(paid, { type: 'reactivated' }, '2026-05-20')).toThrow(/never suspended/);
    }
  });
});

describe('transition — refusals', () => {
  const noticeSent = run(opened, [
    ['due_date_passed', '2026-05-01'],
    ['notice_sent', '2026-05-07'],
  ]);

  it('is not overdue on the due date, only the day after', () => {
    expect(() => transition(opened, { type: 'due_date_passed' }, '2026-04-30')).toThrow(DunningTransitionError);
    expect(transition(opened, { type: 'due_date_passed' }, '2026-05-01').status).toBe('overdue');
  });

  it('refuses eligibility while the client may still pay — through the 5th business day', () => {
    expect(() => transition(noticeSent, { type: 'regularisation_period_elapsed' }, '2026-05-14')).toThrow(/may pay until 2026-05-18/);
    expect(() => transition(noticeSent, { type: 'regularisation_period_elapsed' }, '2026-05-18')).toThrow(DunningTransitionError);
    expect(transition(noticeSent, { type: 'regularisation_period_elapsed' }, '2026-05-19').status).toBe('suspension_eligible');
  });

  it('refuses to suspend without the notice procedure, or a notice before the due date passed', () => {
    expect(() => transition(noticeSent, { type: 'suspended' }, '2026-05-20')).toThrow(DunningTransitionError);
    expect(() => transition(opened, { type: 'suspended' }, '2026-05-20')).toThrow(DunningTransitionError);
    expect(() => transition(opened, { type: 'notice_sent' }, '2026-05-20')).toThrow(DunningTransitionError);
  });

  it('refuses a second payment, a reactivation before payment, and events back in time', () => {
    const paid = transition(noticeSent, { type: 'payment_received' }, '2026-05-10');
    expect(() => transition(paid, { type: 'payment_received' }, '2026-05-11')).toThrow(/already paid/);
    expect(() => transition(noticeSent, { type: 'reactivated' }, '2026-05-11')).toThrow(DunningTransitionError);
    expect(() => transition(noticeSent, { type: 'payment_received' }, '2026-05-06')).toThrow(/before the last event/);
  });

  it('checks acknowledgements: only after a notice, once, dated between the notice and today', () => {
    expect(() => transition(opened, { type: 'notice_acknowledged' }, '2026-05-08')).toThrow(/no formal notice/);
    expect(() => transition(noticeSent, { type: 'notice_acknowledged', on: '2026-05-06' }, '2026-05-08')).toThrow(DunningTransitionError);
    expect(() => transition(noticeSent, { type: 'notice_acknowledged', on: '2026-05-09' }, '2026-05-08')).toThrow(DunningTransitionError);
    const acknowledged = transition(noticeSent, { type: 'notice_acknowledged' }, '2026-05-08');
    expect(acknowledged.noticeAcknowledgedOn).toBe('2026-05-08');
    expect(() => transition(acknowledged, { type: 'notice_acknowledged' }, '2026-05-09')).toThrow(/already acknowledged/);
    // It may also arrive after the suspension; it changes no status.
    const suspended = run(noticeSent, [
      ['regularisation_period_elapsed', '2026-05-19'],
      ['suspended', '2026-05-19'],
    ]);
    expect(transition(suspended, { type: 'notice_acknowledged' }, '2026-05-20')).toMatchObject({ status: 'suspended_nonpayment', noticeAcknowledgedOn: '2026-05-20' });
  });

  it('carries the status and the event on the error', () => {
    try {
      transition(opened, { type: 'suspended' }, '2026-05-20');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DunningTransitionError);
      expect(error).toMatchObject({ code: 'invalid_dunning_transition', status: 'current', event: 'suspended' });
    }
  });
});

describe('nextActions — the daily job', () => {
  it('marks overdue only after the due date', () => {
    expect(nextActions(opened, '2026-04-30')).toEqual([]);
    expect(nextActions(opened, '2026-05-01')).toEqual([{ type: 'mark_overdue' }]);
  });

  it('sends the notice, waits 5 business days, then proposes the suspension', () => {
    const overdue = transition(opened, { type: 'due_date_passed' }, '2026-05-01');
    expect(nextActions(overdue, '2026-05-01')).toEqual([{ type: 'send_formal_notice' }]);
    const notice = transition(overdue, { type: 'notice_sent' }, '2026-05-07');
    expect(nextActions(notice, '2026-05-14')).toEqual([]);
    expect(nextActions(notice, '2026-05-18')).toEqual([]);
    expect(nextActions(notice, '2026-05-19')).toEqual([{ type: 'mark_suspension_eligible' }]);
    const eligible = transition(notice, { type: 'regularisation_period_elapsed' }, '2026-05-19');
    expect(nextActions(eligible, '2026-05-19')).toEqual([{ type: 'suspend' }]);
    const suspended = transition(eligible, { type: 'suspended' }, '2026-05-20');
    expect(nextActions(suspended, '2026-05-25')).toEqual([]);
  });

  it('reactivates on the payment day, and flags a reactivation that is late', () => {
    const paid = run(opened, [
      ['due_date_passed', '2026-05-01'],
      ['notice_sent', '2026-05-07'],
      ['regularisation_period_elapsed', '2026-05-19'],
      ['suspended', '2026-05-19'],
      ['payment_received', '2026-05-22'],
    ]);
    expect(nextActions(paid, '2026-05-22')).toEqual([{ type: 'reactivate', late: false }]);
    expect(nextActions(paid, '2026-05-23')).toEqual([{ type: 'reactivate', late: true }]);
    expect(nextActions(transition(paid, { type: 'reactivated' }, '2026-05-22'), '2026-05-23')).toEqual([]);
  });
});

describe('suspensionBilling — what is billed during a suspension (§7.2, §11)', () => {
  const may = { from: '2026-05-01', to: '2026-05-31' };

  it('bills every day of a client-caused suspension and says why on the invoice', () => {
    const billing = suspensionBilling(may, [{ from: '2026-05-19', to: '2026-05-22', cause: 'client' }]);
    expect(billing).toEqual({
      periodDays: 31,
      billableDays: 31,
      billableRanges: [may],
      nonBillableRanges: [],
      mentions: ['Service suspendu pour impayé du 19/05/2026 au 22/05/2026 : abonnement dû (art. 7.2)'],
    });
  });

  it('does not bill the days of a SOFY-caused suspension', () => {
    const billing = suspensionBilling(may, [{ from: '2026-05-10', to: '2026-05-12', cause: 'sofy' }]);
    expect(billing.billableDays).toBe(28);
    expect(billing.billableRanges).toEqual([
      { from: '2026-05-01', to: '2026-05-09' },
      { from: '2026-05-13', to: '2026-05-31' },
    ]);
    expect(billing.nonBillableRanges).toEqual([{ from: '2026-05-10', to: '2026-05-12' }]);
    expect(billing.mentions).toEqual(['Service indisponible du fait de SOFY du 10/05/2026 au 12/05/2026 : abonnement non facturé (art. 11 (i))']);
  });

  it('clips an ongoing suspension and one that started before the period', () => {
    const billing = suspensionBilling(may, [
      { from: '2026-04-20', to: '2026-05-02', cause: 'client' },
      { from: '2026-05-30', to: null, cause: 'client' },
    ]);
    expect(billing.billableDays).toBe(31);
    expect(billing.mentions).toEqual([
      'Service suspendu pour impayé du 01/05/2026 au 02/05/2026 : abonnement dû (art. 7.2)',
      'Service suspendu pour impayé du 30/05/2026 au 31/05/2026 : abonnement dû (art. 7.2)',
    ]);
  });

  it('bills days where a SOFY fault overlaps a client-caused suspension (the fault is not exclusive)', () => {
    const billing = suspensionBilling(may, [
      { from: '2026-05-10', to: '2026-05-15', cause: 'sofy' },
      { from: '2026-05-14', to: '2026-05-20', cause: 'client' },
    ]);
    expect(billing.nonBillableRanges).toEqual([{ from: '2026-05-10', to: '2026-05-13' }]);
    expect(billing.billableDays).toBe(27);
    expect(billing.mentions).toEqual([
      'Service indisponible du fait de SOFY du 10/05/2026 au 13/05/2026 : abonnement non facturé (art. 11 (i))',
      'Service suspendu pour impayé du 14/05/2026 au 20/05/2026 : abonnement dû (art. 7.2)',
    ]);
  });

  it('words a one-day suspension and a security suspension', () => {
    const billing = suspensionBilling(may, [
      { from: '2026-05-05', to: '2026-05-05', cause: 'client', reason: 'security' },
      { from: '2026-05-07', to: '2026-05-07', cause: 'sofy' },
    ]);
    expect(billing.mentions).toEqual([
      'Service suspendu pour motif de sécurité le 05/05/2026 : abonnement dû (art. 11 (ii))',
      'Service indisponible du fait de SOFY le 07/05/2026 : abonnement non facturé (art. 11 (i))',
    ]);
    expect(billing.billableDays).toBe(30);
  });

  it('ignores suspensions outside the period and refuses inverted intervals', () => {
    expect(suspensionBilling(may, [{ from: '2026-06-01', to: null, cause: 'sofy' }])).toMatchObject({ billableDays: 31, mentions: [] });
    expect(() => suspensionBilling(may, [{ from: '2026-05-10', to: '2026-05-09', cause: 'client' }])).toThrow(RangeError);
    expect(() => suspensionBilling({ from: '2026-05-31', to: '2026-05-01' }, [])).toThrow(RangeError);
    expect(() => suspensionBilling(may, [{ from: '2026-05-10', to: null, cause: 'sofy', reason: 'security' }])).toThrow(RangeError);
  });

  it('makes the whole period non-billable under a SOFY suspension covering it', () => {
    const billing = suspensionBilling(may, [{ from: '2026-04-01', to: null, cause: 'sofy' }]);
    expect(billing).toMatchObject({ billableDays: 0, billableRanges: [], nonBillableRanges: [may] });
  });
});
