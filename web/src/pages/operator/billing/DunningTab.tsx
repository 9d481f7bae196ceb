import { type FormEvent, useState } from 'react';
import { api } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { Dialog } from '../../../components/Dialog';
import { Badge, EmptyState, Loading } from '../../../components/Feedback';
import { Field } from '../../../components/Field';
import { CancelSubmitButtons } from '../../../components/FormButtons';
import { useToast } from '../../../components/Toast';
import { fieldError } from '../../../errors';
import { useAsync } from '../../../hooks';
import { useI18n } from '../../../i18n';
import type { DunningCase } from '../../../types';
import { today, useBillingFormat } from '../../billing/format';
import { DUNNING_STATUSES, dunningStatus, nextActionLabel } from '../../billing/labels';
import { BillingError, DunningFacts, DunningTimeline } from '../../billing/shared';
import { CardError, useSubmit } from './common';

/**
 * The dunning board (R-DUNNING): open cases grouped by their step, with the dates that matter
 * (regularisation deadline, suspension possible from) and what can be done now.
 */
export function DunningTab() {
  const { t } = useI18n();
  const notify = useToast();
  const [includeClosed, setIncludeClosed] = useState(false);
  const cases = useAsync(
    () => api.operatorBilling.dunning({ includeClosed }).then((r) => r.data),
    [includeClosed],
  );
  const run = useSubmit();
  const list = cases.data ?? [];
  const replace = (next: DunningCase) =>
    cases.setData((items) => (items ?? []).map((c) => (c.id === next.id ? next : c)));

  return (
    <>
      <p className="tab-intro">{t('billing.op.dunningIntro')}</p>
      <div className="toolbar billing-board-toolbar">
        <label className="checkbox-row billing-toolbar-check">
          <input
            type="checkbox"
            checked={includeClosed}
            onChange={(e) => setIncludeClosed(e.target.checked)}
            data-testid="dunning-include-closed"
          />
          <span>{t('billing.op.includeClosed')}</span>
        </label>
        <div className="toolbar-buttons toolbar-end">
          <button
            type="button"
            className="button button-secondary"
            disabled={run.busy}
            aria-busy={run.busy}
            onClick={() =>
              run.run(async () => {
                await api.operatorBilling.runDunning();
                notify(t('billing.op.dunningRan'));
                cases.reload();
              })
            }
            data-testid="dunning-run"
          >
            {run.busy ? t('common.working') : t('billing.op.runDunning')}
          </button>
        </div>
      </div>
      <BillingError error={run.error} />
      {cases.loading && !cases.data ? (
        <Loading />
      ) : cases.error ? (
        <section className="card card-flush">
          <CardError error={cases.error} onRetry={cases.reload} />
        </section>
      ) : list.length === 0 ? (
        <section className="card">
          <EmptyState title={t('billing.op.noDunning')} icon="✅" testId="dunning-empty">
            <p>{t('billing.op.noDunningText')}</p>
          </EmptyState>
        </section>
      ) : (
        <div className="billing-board" data-testid="dunning-board">
          {[...DUNNING_STATUSES, 'current']
            .map((status) => ({ status, items: list.filter((c) => c.status === status) }))
            .filter((column) => column.items.length > 0)
            .map((column) => {
              const s = dunningStatus(t, column.status);
              return (
                <section
                  key={column.status}
                  className="billing-board-column"
                  aria-labelledby={`dunning-col-${column.status}`}
                  data-testid="dunning-column"
                  data-status={column.status}
                >
                  <h2 className="billing-board-title" id={`dunning-col-${column.status}`}>
                    <Badge tone={s.tone}>{s.label}</Badge>
                    <span className="muted">{column.items.length}</span>
                  </h2>
                  {column.items.map((c) => (
                    <DunningCaseCard key={c.id} dunning={c} onChanged={replace} />
                  ))}
                </section>
              );
            })}
        </div>
      )}
    </>
  );
}

function DunningCaseCard({
  dunning,
  onChanged,
}: {
  dunning: DunningCase;
  onChanged: (next: DunningCase) => void;
}) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const notify = useToast();
  const [timeline, setTimeline] = useState(false);
  const [dialog, setDialog] = useState<'ack' | 'note' | 'suspend' | null>(null);
  const canAck = Boolean(dunning.open && dunning.noticeSentOn && !dunning.noticeAcknowledgedOn);
  const canSuspend = dunning.nextActions.includes('suspend');
  const waiting = dunning.nextActions.filter((a) => a !== 'suspend');

  return (
    <article
      className="card billing-case"
      data-testid="dunning-case"
      data-id={dunning.id}
      data-status={dunning.status}
      data-tenant-id={dunning.tenantId}
    >
      <header className="billing-card-head">
        <h3 className="card-title">{dunning.tenantName ?? dunning.tenantId}</h3>
        <strong className="billing-case-amount">{f.euros(dunning.amountDueCents)}</strong>
      </header>
      <DunningFacts dunning={dunning} />
      {dunning.overdueInvoices.length > 0 && (
        <p className="small billing-case-invoices">
          {dunning.overdueInvoices
            .map((i) =>
              t('billing.overdueInvoice', {
                number: i.number ?? '—',
                amount: f.euros(i.amountDueCents),
                date: f.day(i.dueDate),
              }),
            )
            .join(' · ')}
        </p>
      )}
      {waiting.length > 0 && (
        <p className="small muted">
          {t('billing.op.nextStep', { step: waiting.map((a) => nextActionLabel(t, a)).join(', ') })}
        </p>
      )}
      <div className="button-row billing-case-actions">
        {canAck && (
          <button
            type="button"
            className="button button-secondary button-sm"
            onClick={() => setDialog('ack')}
            data-testid="dunning-acknowledge"
          >
            {t('billing.op.acknowledge')}
          </button>
        )}
        {canSuspend && (
          <button
            type="button"
            className="button button-danger button-sm"
            onClick={() => setDialog('suspend')}
            data-testid="dunning-suspend"
          >
            {t('billing.op.suspend')}
          </button>
        )}
        {dunning.open && (
          <button
            type="button"
            className="button button-ghost button-sm"
            onClick={() => setDialog('note')}
            data-testid="dunning-note"
          >
            {t('billing.op.addNote')}
          </button>
        )}
        <button
          type="button"
          className="link-button"
          aria-expanded={timeline}
          onClick={() => setTimeline((v) => !v)}
          data-testid="dunning-timeline-toggle"
        >
          {timeline ? t('billing.op.hideTimeline') : t('billing.op.showTimeline')}
        </button>
      </div>
      {timeline && <DunningTimeline dunning={dunning} />}
      {dialog === 'ack' && (
        <AcknowledgeDialog
          dunning={dunning}
          onClose={() => setDialog(null)}
          onDone={(next) => {
            setDialog(null);
            onChanged(next);
            notify(t('billing.op.acknowledged'));
          }}
        />
      )}
      {dialog === 'note' && (
        <NoteDialog
          dunning={dunning}
          onClose={() => setDialog(null)}
          onDone={(next) => {
            setDialog(null);
            onChanged(next);
          }}
        />
      )}
      {dialog === 'suspend' && (
        <ConfirmDialog
          title={t('billing.op.suspendTitle', { name: dunning.tenantName ?? '' })}
          message={t('billing.op.suspendText', {
            date: f.day(dunning.noticeSentOn),
            amount: f.euros(dunning.amountDueCents),
          })}
          confirmLabel={t('billing.op.suspend')}
          danger
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            onChanged(await api.operatorBilling.suspend(dunning.id));
            notify(t('billing.op.suspended', { name: dunning.tenantName ?? '' }));
          }}
        />
      )}
    </article>
  );
}

function AcknowledgeDialog({
  dunning,
  onClose,
  onDone,
}: {
  dunning: DunningCase;
  onClose: () => void;
  onDone: (next: DunningCase) => void;
}) {
  const { t } = useI18n();
  const [on, setOn] = useState(today());
  const [note, setNote] = useState('');
  const submit = useSubmit();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () =>
      onDone(
        await api.operatorBilling.acknowledge(dunning.id, {
          on,
          ...(note.trim() ? { note: note.trim() } : {}),
        }),
      ),
    );
  };
  return (
    <Dialog
      title={t('billing.op.acknowledgeTitle')}
      description={t('billing.op.acknowledgeText')}
      onClose={onClose}
      dismissible={!submit.busy}
      testId="acknowledge-dialog"
    >
      <form className="form" onSubmit={onSubmit}>
        <BillingError error={submit.error} />
        <Field label={t('billing.op.acknowledgedOn')} error={fieldError(submit.error, '/on')}>
          <input
            type="date"
            required
            min={dunning.noticeSentOn ?? undefined}
            max={today()}
            value={on}
            onChange={(e) => setOn(e.target.value)}
            data-testid="acknowledge-date"
          />
        </Field>
        <Field label={t('billing.op.note')} optional optionalLabel={t('common.optional')}>
          <input
            type="text"
            maxLength={500}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="acknowledge-note"
          />
        </Field>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={submit.busy}
            onCancel={onClose}
            submitLabel={t('billing.op.acknowledge')}
            submitTestId="acknowledge-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}

function NoteDialog({
  dunning,
  onClose,
  onDone,
}: {
  dunning: DunningCase;
  onClose: () => void;
  onDone: (next: DunningCase) => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const submit = useSubmit();
  return (
    <Dialog title={t('billing.op.addNote')} onClose={onClose} dismissible={!submit.busy} testId="note-dialog">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit.run(async () => onDone(await api.operatorBilling.note(dunning.id, text.trim())));
        }}
      >
        <BillingError error={submit.error} />
        <Field label={t('billing.op.note')}>
          <textarea
            rows={3}
            required
            maxLength={2000}
            value={text}
            onChange={(e) => setText(e.target.value)}
            data-testid="note-text"
          />
        </Field>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={submit.busy}
            onCancel={onClose}
            submitLabel={t('billing.op.addNote')}
            submitTestId="note-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}
