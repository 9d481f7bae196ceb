import { type FormEvent, useState } from 'react';
import { api } from '../../../api';
import { Dialog } from '../../../components/Dialog';
import { Badge, EmptyState, Loading } from '../../../components/Feedback';
import { Field } from '../../../components/Field';
import { FormRowSubmit } from '../../../components/FormParts';
import { useToast } from '../../../components/Toast';
import { fieldError } from '../../../errors';
import { useAsync } from '../../../hooks';
import { useI18n } from '../../../i18n';
import type { BillingContract, LiabilityCap, ViesProof } from '../../../types';
import { today, useBillingFormat } from '../../billing/format';
import { contractStatus, productLabel, vatRegimeLabel, viesOutcome } from '../../billing/labels';
import {
  BillingError,
  ContractFacts,
  ContractHistory,
  Facts,
  SubscriptionsTable,
} from '../../billing/shared';
import { CardError, CardHeader, TenantSelect, useSubmit, useTenantLabels, useTenants } from './common';

export function ContractsTab() {
  const { t } = useI18n();
  const f = useBillingFormat();
  const tl = useTenantLabels();
  const tenants = useTenants();
  const [tenantId, setTenantId] = useState('');
  const contracts = useAsync(
    () => api.operatorBilling.contracts(tenantId || undefined).then((r) => r.data),
    [tenantId],
  );
  const [openId, setOpenId] = useState<string | null>(null);
  const list = contracts.data ?? [];

  return (
    <>
      <p className="tab-intro">{t('billing.op.contractsIntro')}</p>
      <section className="card card-flush" aria-labelledby="contracts-title">
        <CardHeader id="contracts-title" title={t('billing.contracts')} />
        <div className="toolbar">
          <div className="toolbar-field">
            <TenantSelect
              tenants={tenants.data}
              value={tenantId}
              onChange={setTenantId}
              label={tl.label}
              allLabel={tl.all}
              testId="contracts-tenant-filter"
            />
          </div>
        </div>
        {contracts.loading && !contracts.data ? (
          <Loading />
        ) : contracts.error ? (
          <CardError error={contracts.error} onRetry={contracts.reload} />
        ) : list.length === 0 ? (
          <EmptyState title={t('billing.op.noContract')} icon="📄" testId="contracts-empty">
            <p>{t('billing.op.noContractText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="contracts">
              <caption className="visually-hidden">{t('billing.contracts')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.client')}</th>
                  <th scope="col">{t('billing.status')}</th>
                  <th scope="col">{t('billing.products')}</th>
                  <th scope="col" className="cell-number">
                    {t('billing.licensedPoi')}
                  </th>
                  <th scope="col">{t('billing.startDate')}</th>
                  <th scope="col">{t('billing.noticeDeadlineShort')}</th>
                  <th scope="col">{t('billing.renewalOn')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((c) => {
                  const s = contractStatus(t, c.status);
                  const notice = c.term.nextNoticeDeadline;
                  return (
                    <tr key={c.id} data-testid="contract-row" data-id={c.id} data-tenant-id={c.tenantId}>
                      <td>
                        <button
                          type="button"
                          className="link-button cell-strong"
                          onClick={() => setOpenId(c.id)}
                          data-testid="contract-open"
                        >
                          {c.legalName}
                        </button>
                        <div className="muted small">{c.tenantName}</div>
                      </td>
                      <td>
                        <Badge tone={s.tone}>{s.label}</Badge>
                      </td>
                      <td className="small">
                        {c.subscriptions.map((x) => productLabel(t, x.product)).join(', ')}
                      </td>
                      <td className="cell-number">
                        {c.licence.licensedPoi}
                        {c.licence.pending.length > 0 && <span className="muted"> *</span>}
                      </td>
                      <td className="cell-nowrap">{f.day(c.startDate)}</td>
                      <td className="cell-nowrap">
                        {notice && !c.term.termination ? (
                          <span className={notice.daysLeft <= 60 ? 'billing-soon' : undefined}>
                            {f.day(notice.deadline)}
                            <div className="muted small">
                              {t('billing.daysLeft', { days: notice.daysLeft })}
                            </div>
                          </span>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td className="cell-nowrap">
                        {c.term.termination
                          ? t('billing.endsOnValue', { date: f.day(c.term.termination.lastDay) })
                          : f.day(notice?.exitOn ?? c.term.period.endsOn)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {openId && (
        <ContractDialog
          contractId={openId}
          onClose={() => setOpenId(null)}
          onChanged={contracts.reload}
        />
      )}
    </>
  );
}

function ContractDialog({
  contractId,
  onClose,
  onChanged,
}: {
  contractId: string;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const contract = useAsync(() => api.operatorBilling.contract(contractId), [contractId]);
  const data = contract.data;
  const update = (next: BillingContract) => {
    contract.setData(next);
    onChanged();
  };
  return (
    <Dialog
      title={data ? data.legalName : t('billing.contract')}
      onClose={onClose}
      size="lg"
      testId="contract-detail"
    >
      {contract.loading && !data ? (
        <Loading />
      ) : contract.error ? (
        <BillingError error={contract.error} onRetry={contract.reload} />
      ) : data ? (
        <div className="billing-contract-detail">
          <ContractIdentity contract={data} />
          <SubscriptionsTable contract={data} />
          <ContractFacts contract={data} />
          {data.status !== 'ended' && (
            <>
              <PoiLicenceForm contract={data} onChanged={update} />
              <NoticeForm contract={data} onChanged={update} />
            </>
          )}
          {data.notices.length > 0 && <NoticesList contract={data} />}
          <LiabilityCapForm tenantId={data.tenantId} />
          <DowntimeForm tenantId={data.tenantId} />
          <section aria-labelledby="contract-history-title">
            <h3 className="billing-subtitle" id="contract-history-title">
              {t('billing.history')}
            </h3>
            <ContractHistory contract={data} />
          </section>
        </div>
      ) : null}
    </Dialog>
  );
}

function ContractIdentity({ contract }: { contract: BillingContract }) {
  const { t, formatDateTime } = useI18n();
  const f = useBillingFormat();
  const [vies, setVies] = useState<ViesProof | null>(contract.vies);
  const check = useSubmit();
  const outcome = vies ? viesOutcome(t, vies.outcome) : null;
  return (
    <>
      <Facts
        items={[
          { label: t('billing.client'), value: contract.tenantName ?? contract.tenantId },
          { label: t('billing.siren'), value: contract.siren ?? '—' },
          { label: t('billing.vatNumber'), value: contract.vatNumber ?? '—' },
          { label: t('billing.signedOn'), value: f.day(contract.signedOn) },
          {
            label: t('billing.address'),
            value: `${contract.address.line}, ${contract.address.postalCode} ${contract.address.city} (${contract.address.country})`,
            wide: true,
          },
          { label: t('billing.billingEmail'), value: contract.billingEmail },
          {
            label: t('billing.vatRegime'),
            value: `${vatRegimeLabel(t, contract.vat.regime)} (${f.rate(contract.vat.rateBp)})`,
          },
        ]}
      />
      {contract.vatNumber && (
        <div className="billing-vies" data-testid="contract-vies">
          {vies && outcome ? (
            <span>
              <Badge tone={outcome.tone}>{outcome.label}</Badge>{' '}
              {t('billing.op.viesChecked', {
                number: vies.vatNumber,
                at: formatDateTime(vies.checkedAt),
              })}
            </span>
          ) : (
            <span className="muted">{t('billing.op.viesNone')}</span>
          )}{' '}
          <button
            type="button"
            className="button button-secondary button-sm"
            disabled={check.busy}
            aria-busy={check.busy}
            onClick={() => check.run(async () => setVies(await api.operatorBilling.viesCheck(contract.id)))}
            data-testid="contract-vies-check"
          >
            {check.busy ? t('common.working') : t('billing.op.viesRecheck')}
          </button>
          <BillingError error={check.error} />
        </div>
      )}
    </>
  );
}

function PoiLicenceForm({
  contract,
  onChanged,
}: {
  contract: BillingContract;
  onChanged: (c: BillingContract) => void;
}) {
  const { t } = useI18n();
  const notify = useToast();
  const [poi, setPoi] = useState(String(contract.licence.licensedPoi));
  const [signedOn, setSignedOn] = useState(today());
  const [effectiveOn, setEffectiveOn] = useState('');
  const submit = useSubmit();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () => {
      const next = await api.operatorBilling.amendPoi(contract.id, {
        poiCount: Number(poi),
        signedOn,
        ...(effectiveOn ? { effectiveOn } : {}),
      });
      onChanged(next);
      notify(t('billing.op.poiChanged', { count: Number(poi) }));
    });
  };
  return (
    <section className="billing-subform" aria-labelledby="poi-form-title">
      <h3 className="billing-subtitle" id="poi-form-title">
        {t('billing.op.poiTitle')}
      </h3>
      <p className="muted small">{t('billing.op.poiText')}</p>
      <form className="form-row billing-form-row" onSubmit={onSubmit} data-testid="poi-form">
        <Field label={t('billing.op.newPoiCount')} error={fieldError(submit.error, '/poiCount')}>
          <input
            type="number"
            min={0}
            max={100000}
            required
            value={poi}
            onChange={(e) => setPoi(e.target.value)}
            data-testid="poi-count"
          />
        </Field>
        <Field label={t('billing.op.amendmentSignedOn')} error={fieldError(submit.error, '/signedOn')}>
          <input
            type="date"
            required
            value={signedOn}
            onChange={(e) => setSignedOn(e.target.value)}
            data-testid="poi-signed-on"
          />
        </Field>
        <Field
          label={t('billing.op.effectiveOn')}
          optional
          optionalLabel={t('common.optional')}
          error={fieldError(submit.error, '/effectiveOn')}
        >
          <input
            type="date"
            value={effectiveOn}
            onChange={(e) => setEffectiveOn(e.target.value)}
            data-testid="poi-effective-on"
          />
        </Field>
        <FormRowSubmit busy={submit.busy} label={t('billing.op.poiSubmit')} testId="poi-submit" />
      </form>
      <BillingError error={submit.error} />
    </section>
  );
}

function NoticeForm({
  contract,
  onChanged,
}: {
  contract: BillingContract;
  onChanged: (c: BillingContract) => void;
}) {
  const { t } = useI18n();
  const notify = useToast();
  const [receivedOn, setReceivedOn] = useState(today());
  const [channel, setChannel] = useState<'registered_letter' | 'email'>('registered_letter');
  const [reference, setReference] = useState('');
  const submit = useSubmit();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () => {
      const next = await api.operatorBilling.recordNotice(contract.id, {
        receivedOn,
        channel,
        ...(reference.trim() ? { reference: reference.trim() } : {}),
      });
      onChanged(next);
      notify(t('billing.op.noticeRecorded'));
    });
  };
  return (
    <section className="billing-subform" aria-labelledby="notice-form-title">
      <h3 className="billing-subtitle" id="notice-form-title">
        {t('billing.op.noticeTitle')}
      </h3>
      <p className="muted small">{t('billing.op.noticeText')}</p>
      <form className="form-row billing-form-row" onSubmit={onSubmit} data-testid="notice-form">
        <Field label={t('billing.op.receivedOn')} error={fieldError(submit.error, '/receivedOn')}>
          <input
            type="date"
            required
            max={today()}
            value={receivedOn}
            onChange={(e) => setReceivedOn(e.target.value)}
            data-testid="notice-received-on"
          />
        </Field>
        <Field label={t('billing.op.channel')}>
          <select
            value={channel}
            onChange={(e) => setChannel(e.target.value as 'registered_letter' | 'email')}
            data-testid="notice-channel"
          >
            <option value="registered_letter">{t('billing.channel.registered_letter')}</option>
            <option value="email">{t('billing.channel.email')}</option>
          </select>
        </Field>
        <Field label={t('billing.reference')} optional optionalLabel={t('common.optional')}>
          <input
            type="text"
            maxLength={200}
            value={reference}
            onChange={(e) => setReference(e.target.value)}
            data-testid="notice-reference"
          />
        </Field>
        <FormRowSubmit busy={submit.busy} label={t('billing.op.noticeSubmit')} testId="notice-submit" />
      </form>
      <BillingError error={submit.error} />
    </section>
  );
}

function NoticesList({ contract }: { contract: BillingContract }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="contract-notices">
        <caption className="billing-caption">{t('billing.op.notices')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('billing.op.receivedOn')}</th>
            <th scope="col">{t('billing.op.channel')}</th>
            <th scope="col">{t('billing.reference')}</th>
            <th scope="col">{t('billing.op.exitOn')}</th>
          </tr>
        </thead>
        <tbody>
          {contract.notices.map((n) => (
            <tr key={n.id}>
              <td>{f.day(n.receivedOn)}</td>
              <td>{t(n.channel === 'email' ? 'billing.channel.email' : 'billing.channel.registered_letter')}</td>
              <td>{n.reference ?? '—'}</td>
              <td>{f.day(n.exitOn)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** R-CAP: what the client paid HT over the 12 months before a date. */
function LiabilityCapForm({ tenantId }: { tenantId: string }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const [date, setDate] = useState(today());
  const [cap, setCap] = useState<LiabilityCap | null>(null);
  const submit = useSubmit();
  return (
    <section className="billing-subform" aria-labelledby="cap-form-title">
      <h3 className="billing-subtitle" id="cap-form-title">
        {t('billing.op.capTitle')}
      </h3>
      <form
        className="form-row billing-form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run(async () => setCap(await api.operatorBilling.liabilityCap(tenantId, date)));
        }}
        data-testid="cap-form"
      >
        <Field label={t('billing.op.capDate')}>
          <input
            type="date"
            required
            value={date}
            onChange={(e) => setDate(e.target.value)}
            data-testid="cap-date"
          />
        </Field>
        <FormRowSubmit busy={submit.busy} label={t('billing.op.capSubmit')} testId="cap-submit" />
      </form>
      <BillingError error={submit.error} />
      {cap && (
        <p data-testid="cap-result">
          {t('billing.op.capResult', {
            amount: f.euros(cap.capHtCents),
            from: f.day(cap.windowStart),
            to: f.day(cap.windowEnd),
          })}
        </p>
      )}
    </section>
  );
}

/** A downtime caused by SOFY alone: its days are not billed (R-DUNNING, last sentence). */
function DowntimeForm({ tenantId }: { tenantId: string }) {
  const { t } = useI18n();
  const notify = useToast();
  const [from, setFrom] = useState(today());
  const [to, setTo] = useState(today());
  const [reason, setReason] = useState('');
  const submit = useSubmit();
  return (
    <section className="billing-subform" aria-labelledby="downtime-form-title">
      <h3 className="billing-subtitle" id="downtime-form-title">
        {t('billing.op.downtimeTitle')}
      </h3>
      <p className="muted small">{t('billing.op.downtimeText')}</p>
      <form
        className="form-row billing-form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run(async () => {
            await api.operatorBilling.recordDowntime({ tenantId, from, to, reason: reason.trim() });
            setReason('');
            notify(t('billing.op.downtimeRecorded'));
          });
        }}
        data-testid="downtime-form"
      >
        <Field label={t('billing.op.from')} error={fieldError(submit.error, '/from')}>
          <input type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label={t('billing.op.to')} error={fieldError(submit.error, '/to')}>
          <input type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <Field label={t('billing.op.reason')} error={fieldError(submit.error, '/reason')}>
          <input
            type="text"
            required
            minLength={3}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </Field>
        <FormRowSubmit busy={submit.busy} label={t('billing.op.downtimeSubmit')} testId="downtime-submit" />
      </form>
      <BillingError error={submit.error} />
    </section>
  );
}
