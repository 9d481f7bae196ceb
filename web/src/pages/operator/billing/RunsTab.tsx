import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { Badge, EmptyState, Loading, WarningBanner } from '../../../components/Feedback';
import { Field } from '../../../components/Field';
import { FormRowSubmit } from '../../../components/FormParts';
import { useToast } from '../../../components/Toast';
import { fieldError } from '../../../errors';
import { useAsync } from '../../../hooks';
import { useI18n } from '../../../i18n';
import type { BillingInvoice, InvoiceRun } from '../../../types';
import { today, useBillingFormat } from '../../billing/format';
import { BillingError, InvoiceBody } from '../../billing/shared';
import { CardError, CardHeader, useSubmit } from './common';

/** The month before the current one (the run a billing operator usually prepares). */
function previousMonth(): string {
  const d = today();
  const m = Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 2;
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
}

export function RunsTab() {
  const { t } = useI18n();
  const f = useBillingFormat();
  const runs = useAsync(() => api.operatorBilling.runs().then((r) => r.data), []);
  const [period, setPeriod] = useState(previousMonth());
  const [selected, setSelected] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const prepare = useSubmit();
  const list = runs.data ?? [];

  const onPrepare = (event: FormEvent) => {
    event.preventDefault();
    void prepare.run(async () => {
      const run = await api.operatorBilling.prepareRun(period);
      setWarnings(run.warnings);
      setSelected(run.id);
      runs.reload();
    });
  };

  return (
    <>
      <p className="tab-intro">{t('billing.op.runsIntro')}</p>
      <section className="card" aria-labelledby="run-prepare-title">
        <h2 className="card-title" id="run-prepare-title">
          {t('billing.op.prepareTitle')}
        </h2>
        <p className="muted">{t('billing.op.prepareText')}</p>
        <form className="form-row billing-form-row" onSubmit={onPrepare} data-testid="run-form">
          <Field label={t('billing.op.period')} error={fieldError(prepare.error, '/period')}>
            <input
              type="month"
              required
              value={period}
              onChange={(e) => setPeriod(e.target.value)}
              data-testid="run-period"
            />
          </Field>
          <FormRowSubmit busy={prepare.busy} label={t('billing.op.preview')} testId="run-prepare" />
        </form>
        <BillingError error={prepare.error} />
      </section>
      {selected && (
        <RunPreview
          key={selected}
          runId={selected}
          warnings={warnings}
          onIssued={runs.reload}
          onClose={() => setSelected(null)}
        />
      )}
      <section className="card card-flush" aria-labelledby="runs-title">
        <CardHeader id="runs-title" title={t('billing.op.runs')} />
        {runs.loading && !runs.data ? (
          <Loading />
        ) : runs.error ? (
          <CardError error={runs.error} onRetry={runs.reload} />
        ) : list.length === 0 ? (
          <EmptyState title={t('billing.op.noRun')} icon="🗓️" testId="runs-empty">
            <p>{t('billing.op.noRunText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="runs">
              <caption className="visually-hidden">{t('billing.op.runs')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.op.period')}</th>
                  <th scope="col">{t('billing.status')}</th>
                  <th scope="col" className="cell-number">
                    {t('billing.invoices')}
                  </th>
                  <th scope="col" className="cell-number">
                    {t('billing.totalHt')}
                  </th>
                  <th scope="col">{t('billing.op.refreshedAt')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((run) => (
                  <tr key={run.id} data-testid="run-row" data-id={run.id} data-status={run.status}>
                    <td className="cell-strong">{f.month(run.periodStart)}</td>
                    <td>
                      <RunStatus run={run} />
                    </td>
                    <td className="cell-number">
                      {run.invoices}
                      {run.drafts > 0 && (
                        <div className="muted small">
                          {t('billing.op.draftsCount', { count: run.drafts })}
                        </div>
                      )}
                    </td>
                    <td className="cell-number cell-nowrap">{f.euros(run.totalHtCents)}</td>
                    <td className="small">{f.day(run.refreshedAt.slice(0, 10))}</td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="button button-secondary button-sm"
                        onClick={() => {
                          setWarnings(run.warnings);
                          setSelected(run.id);
                        }}
                        data-testid="run-open"
                      >
                        {t('billing.op.openRun')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function RunStatus({ run }: { run: InvoiceRun }) {
  const { t } = useI18n();
  return run.status === 'issued' ? (
    <Badge tone="success">{t('billing.op.runIssued')}</Badge>
  ) : (
    <Badge tone="info">{t('billing.op.runPreview')}</Badge>
  );
}

/**
 * A run's preview: one draft per client with its lines and totals, then "issue". Issuing runs
 * on the server in one request; meanwhile the run is read again to show how many are done.
 */
function RunPreview({
  runId,
  warnings,
  onIssued,
  onClose,
}: {
  runId: string;
  warnings: string[];
  onIssued: () => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const notify = useToast();
  const detail = useAsync(() => api.operatorBilling.run(runId), [runId]);
  const [confirming, setConfirming] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const polling = useRef<number | null>(null);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const [issueError, setIssueError] = useState<unknown>(null);

  useEffect(
    () => () => {
      if (polling.current) window.clearInterval(polling.current);
    },
    [],
  );

  const data = detail.data;
  const drafts = (data?.invoices ?? []).filter((i) => i.status === 'draft');
  const issued = (data?.invoices ?? []).filter((i) => i.status === 'issued');

  const issue = async () => {
    const total = drafts.length;
    setProgress({ done: 0, total });
    setIssueError(null);
    polling.current = window.setInterval(() => {
      api.operatorBilling
        .run(runId)
        .then((r) => setProgress({ done: Math.max(0, total - r.run.drafts), total }))
        .catch(() => undefined);
    }, 600);
    try {
      const run = await api.operatorBilling.issueRun(runId);
      setProgress({ done: total - run.drafts, total });
      notify(t('billing.op.runIssuedToast', { count: total - run.drafts }));
      detail.reload();
      onIssued();
    } catch (e) {
      setIssueError(e);
      setProgress(null);
      detail.reload();
    } finally {
      if (polling.current) window.clearInterval(polling.current);
      polling.current = null;
    }
  };

  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section className="card card-flush" aria-labelledby="run-preview-title" data-testid="run-preview">
      <CardHeader
        id="run-preview-title"
        title={data ? t('billing.op.runTitle', { period: f.month(data.run.periodStart) }) : t('billing.op.runs')}
        actions={
          <>
            {drafts.length > 0 && !progress && (
              <button
                type="button"
                className="button button-primary"
                onClick={() => setConfirming(true)}
                data-testid="run-issue"
              >
                {t('billing.op.issueAll', { count: drafts.length })}
              </button>
            )}
            <button type="button" className="button button-secondary" onClick={onClose}>
              {t('common.close')}
            </button>
          </>
        }
      />
      {detail.loading && !data ? (
        <Loading />
      ) : detail.error ? (
        <CardError error={detail.error} onRetry={detail.reload} />
      ) : data ? (
        <div className="card-pad">
          {warnings.length > 0 && drafts.length > 0 && (
            <WarningBanner testId="run-warnings">
              <p>{t('billing.op.runWarnings')}</p>
              <ul className="banner-list">
                {warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </WarningBanner>
          )}
          <BillingError error={issueError} testId="run-issue-error" />
          {progress && (
            <div className="billing-progress" data-testid="run-progress" data-done={progress.done} data-total={progress.total}>
              <label htmlFor="run-progress-bar">
                {progress.done >= progress.total
                  ? t('billing.op.issueDone', { count: progress.done })
                  : t('billing.op.issuing', { done: progress.done, total: progress.total })}
              </label>
              <progress id="run-progress-bar" max={Math.max(1, progress.total)} value={progress.done} />
            </div>
          )}
          <p className="muted" data-testid="run-summary">
            {t('billing.op.runSummary', {
              drafts: drafts.length,
              issued: issued.length,
              total: f.euros(data.run.totalHtCents),
            })}
          </p>
          {data.invoices.length === 0 ? (
            <EmptyState title={t('billing.op.runEmpty')} testId="run-preview-empty">
              <p>{t('billing.op.runEmptyText')}</p>
            </EmptyState>
          ) : (
            <ul className="billing-run-list">
              {data.invoices.map((invoice) => (
                <RunInvoice
                  key={invoice.id}
                  invoice={invoice}
                  open={open.has(invoice.id)}
                  onToggle={() => toggle(invoice.id)}
                />
              ))}
            </ul>
          )}
        </div>
      ) : null}
      {confirming && (
        <ConfirmDialog
          title={t('billing.op.issueTitle')}
          message={t('billing.op.issueText', { count: drafts.length })}
          confirmLabel={t('billing.op.issueConfirm')}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            void issue();
          }}
          closeOnSuccess={false}
        />
      )}
    </section>
  );
}

function RunInvoice({
  invoice,
  open,
  onToggle,
}: {
  invoice: BillingInvoice;
  open: boolean;
  onToggle: () => void;
}) {
  const { t } = useI18n();
  const f = useBillingFormat();
  return (
    <li className="billing-run-item" data-testid="run-invoice" data-status={invoice.status} data-tenant-id={invoice.tenantId}>
      <button
        type="button"
        className="billing-run-head"
        aria-expanded={open}
        onClick={onToggle}
        data-testid="run-invoice-toggle"
      >
        <span aria-hidden="true" className={`disclosure${open ? ' is-open' : ''}`}>
          ▸
        </span>
        <span className="cell-strong">{invoice.tenantName ?? invoice.tenantId}</span>
        <span className="muted small">{invoice.number ?? t('billing.draft')}</span>
        <span className="billing-run-amounts">
          {t('billing.op.htTtc', {
            ht: f.euros(invoice.totalHtCents),
            ttc: f.euros(invoice.totalTtcCents),
          })}
        </span>
      </button>
      {open && (
        <div className="billing-run-body">
          <InvoiceBody invoice={invoice} />
        </div>
      )}
    </li>
  );
}
