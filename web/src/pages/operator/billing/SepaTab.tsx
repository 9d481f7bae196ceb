import { type FormEvent, useState } from 'react';
import { api } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { Dialog } from '../../../components/Dialog';
import { EmptyState, Loading } from '../../../components/Feedback';
import { Field } from '../../../components/Field';
import { FormRowSubmit } from '../../../components/FormParts';
import { useToast } from '../../../components/Toast';
import { fieldError } from '../../../errors';
import { useAsync } from '../../../hooks';
import { useI18n } from '../../../i18n';
import { shiftDate } from '../../../time';
import type { SepaBatch } from '../../../types';
import { today, useBillingFormat } from '../../billing/format';
import { BillingError, DownloadButton } from '../../billing/shared';
import { CardError, CardHeader, useSubmit } from './common';

/** R-PAYMENT: debtors are pre-notified 14 days ahead, so the earliest collection is D+14. */
const PRENOTIFICATION_DAYS = 14;

export function SepaTab() {
  const { t } = useI18n();
  const f = useBillingFormat();
  const notify = useToast();
  const batches = useAsync(() => api.operatorBilling.sepaBatches().then((r) => r.data), []);
  const [collectionDate, setCollectionDate] = useState(shiftDate(today(), PRENOTIFICATION_DAYS));
  const [dueBy, setDueBy] = useState('');
  const [viewing, setViewing] = useState<string | null>(null);
  const [settling, setSettling] = useState<SepaBatch | null>(null);
  const create = useSubmit();
  const list = batches.data ?? [];

  const onCreate = (event: FormEvent) => {
    event.preventDefault();
    void create.run(async () => {
      const batch = await api.operatorBilling.createSepaBatch({
        collectionDate,
        ...(dueBy ? { dueBy } : {}),
      });
      notify(t('billing.op.batchCreated', { count: batch.count, total: f.euros(batch.totalCents) }));
      batches.reload();
    });
  };

  return (
    <>
      <p className="tab-intro">{t('billing.op.sepaIntro')}</p>
      <section className="card" aria-labelledby="sepa-create-title">
        <h2 className="card-title" id="sepa-create-title">
          {t('billing.op.newBatch')}
        </h2>
        <p className="muted">{t('billing.op.newBatchText')}</p>
        <form className="form-row billing-form-row" onSubmit={onCreate} data-testid="sepa-form">
          <Field
            label={t('billing.op.collectionDate')}
            hint={t('billing.op.collectionHint', {
              date: f.day(shiftDate(today(), PRENOTIFICATION_DAYS)),
            })}
            error={fieldError(create.error, '/collectionDate')}
          >
            <input
              type="date"
              required
              min={shiftDate(today(), PRENOTIFICATION_DAYS)}
              value={collectionDate}
              onChange={(e) => setCollectionDate(e.target.value)}
              data-testid="sepa-collection-date"
            />
          </Field>
          <Field
            label={t('billing.op.dueBy')}
            optional
            optionalLabel={t('common.optional')}
            hint={t('billing.op.dueByHint')}
            error={fieldError(create.error, '/dueBy')}
          >
            <input
              type="date"
              value={dueBy}
              onChange={(e) => setDueBy(e.target.value)}
              data-testid="sepa-due-by"
            />
          </Field>
          <FormRowSubmit busy={create.busy} label={t('billing.op.createBatch')} testId="sepa-create" />
        </form>
        <BillingError error={create.error} testId="sepa-error" />
      </section>
      <section className="card card-flush" aria-labelledby="sepa-batches-title">
        <CardHeader id="sepa-batches-title" title={t('billing.op.batches')} />
        {batches.loading && !batches.data ? (
          <Loading />
        ) : batches.error ? (
          <CardError error={batches.error} onRetry={batches.reload} />
        ) : list.length === 0 ? (
          <EmptyState title={t('billing.op.noBatch')} icon="🏦" testId="sepa-empty">
            <p>{t('billing.op.noBatchText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="sepa-batches">
              <caption className="visually-hidden">{t('billing.op.batches')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.op.messageId')}</th>
                  <th scope="col">{t('billing.op.collectionDate')}</th>
                  <th scope="col" className="cell-number">
                    {t('billing.op.collections')}
                  </th>
                  <th scope="col" className="cell-number">
                    {t('billing.amount')}
                  </th>
                  <th scope="col">{t('billing.op.createdBy')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((batch) => (
                  <tr key={batch.id} data-testid="sepa-batch-row" data-id={batch.id}>
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setViewing(batch.id)}
                        data-testid="sepa-batch-open"
                      >
                        <code>{batch.messageId}</code>
                      </button>
                    </td>
                    <td className="cell-nowrap">{f.day(batch.collectionDate)}</td>
                    <td className="cell-number">{batch.count}</td>
                    <td className="cell-number cell-nowrap">{f.euros(batch.totalCents)}</td>
                    <td className="small">{batch.createdBy ?? '—'}</td>
                    <td className="cell-actions">
                      <div className="row-actions">
                        <DownloadButton
                          load={() => api.operatorBilling.pain008(batch.id, batch.messageId)}
                          label={t('billing.op.downloadPain008')}
                          testId="sepa-download"
                        />
                        <button
                          type="button"
                          className="button button-secondary button-sm"
                          onClick={() => setSettling(batch)}
                          disabled={batch.collectionDate > today()}
                          title={
                            batch.collectionDate > today()
                              ? t('billing.op.settleLater', { date: f.day(batch.collectionDate) })
                              : undefined
                          }
                          data-testid="sepa-settle"
                        >
                          {t('billing.op.settle')}
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {viewing && <BatchDialog batchId={viewing} onClose={() => setViewing(null)} />}
      {settling && (
        <ConfirmDialog
          title={t('billing.op.settleTitle', { id: settling.messageId })}
          message={t('billing.op.settleText', {
            count: settling.count,
            total: f.euros(settling.totalCents),
          })}
          confirmLabel={t('billing.op.settle')}
          onClose={() => setSettling(null)}
          onConfirm={async () => {
            await api.operatorBilling.settleSepaBatch(settling.id);
            notify(t('billing.op.settled'));
            batches.reload();
          }}
        />
      )}
    </>
  );
}

function BatchDialog({ batchId, onClose }: { batchId: string; onClose: () => void }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const batch = useAsync(() => api.operatorBilling.sepaBatch(batchId), [batchId]);
  return (
    <Dialog
      title={batch.data ? batch.data.messageId : t('billing.op.batches')}
      onClose={onClose}
      size="lg"
      testId="sepa-batch-detail"
    >
      {batch.loading ? (
        <Loading />
      ) : batch.error ? (
        <BillingError error={batch.error} onRetry={batch.reload} />
      ) : (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="visually-hidden">{t('billing.op.collections')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('billing.op.endToEnd')}</th>
                <th scope="col">{t('billing.rum')}</th>
                <th scope="col">{t('billing.op.sequence')}</th>
                <th scope="col" className="cell-number">
                  {t('billing.amount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {(batch.data?.items ?? []).map((item) => (
                <tr key={item.endToEndId}>
                  <td>
                    <code>{item.endToEndId}</code>
                  </td>
                  <td>
                    <code>{item.rum}</code>
                  </td>
                  <td>{item.sequenceType}</td>
                  <td className="cell-number cell-nowrap">{f.euros(item.amountCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Dialog>
  );
}
