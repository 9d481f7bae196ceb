import { type FormEvent, useState } from 'react';
import { api } from '../../../api';
import { EmptyState, Loading } from '../../../components/Feedback';
import { Field } from '../../../components/Field';
import { FormRowSubmit } from '../../../components/FormParts';
import { useToast } from '../../../components/Toast';
import { fieldError } from '../../../errors';
import { useAsync } from '../../../hooks';
import { useI18n } from '../../../i18n';
import type { PriceList } from '../../../types';
import { useBillingFormat } from '../../billing/format';
import { productLabel } from '../../billing/labels';
import { BillingError } from '../../billing/shared';
import { CardError, CardHeader, useSubmit } from './common';

/** The reference tables operators maintain: SYNTEC (R-PRICE), legal rates (R-LATE), prices. */
export function TablesTab() {
  const { t } = useI18n();
  return (
    <>
      <p className="tab-intro">{t('billing.op.tablesIntro')}</p>
      <div className="billing-two-columns">
        <SyntecCard />
        <LegalRatesCard />
      </div>
      <PriceListsCard />
    </>
  );
}

function SyntecCard() {
  const { t } = useI18n();
  const f = useBillingFormat();
  const notify = useToast();
  const rows = useAsync(() => api.operatorBilling.syntec().then((r) => r.data), []);
  const [month, setMonth] = useState('');
  const [value, setValue] = useState('');
  const submit = useSubmit();
  const list = [...(rows.data ?? [])].sort((a, b) => b.month.localeCompare(a.month));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () => {
      await api.operatorBilling.setSyntec(month, value.trim());
      notify(t('billing.op.syntecSaved', { month: f.month(month), value: value.trim() }));
      setValue('');
      rows.reload();
    });
  };
  return (
    <section className="card card-flush" aria-labelledby="syntec-title">
      <CardHeader id="syntec-title" title={t('billing.op.syntecTitle')} />
      <div className="card-pad">
        <p className="muted small">{t('billing.op.syntecText')}</p>
        <form className="form-row billing-form-row" onSubmit={onSubmit} data-testid="syntec-form">
          <Field label={t('billing.op.month')} error={fieldError(submit.error, '/month')}>
            <input
              type="month"
              required
              value={month}
              onChange={(e) => setMonth(e.target.value)}
              data-testid="syntec-month"
            />
          </Field>
          <Field label={t('billing.op.indexValue')} error={fieldError(submit.error, '/value')}>
            <input
              type="text"
              inputMode="decimal"
              required
              pattern="[0-9]+([.,][0-9])?"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              data-testid="syntec-value"
            />
          </Field>
          <FormRowSubmit busy={submit.busy} label={t('common.save')} testId="syntec-submit" />
        </form>
        <BillingError error={submit.error} />
      </div>
      {rows.loading && !rows.data ? (
        <Loading />
      ) : rows.error ? (
        <CardError error={rows.error} onRetry={rows.reload} />
      ) : list.length === 0 ? (
        <EmptyState title={t('billing.op.noSyntec')} testId="syntec-empty">
          <p>{t('billing.op.noSyntecText')}</p>
        </EmptyState>
      ) : (
        <div className="table-wrap billing-table-scroll">
          <table className="table table-compact" data-testid="syntec-table">
            <caption className="visually-hidden">{t('billing.op.syntecTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('billing.op.month')}</th>
                <th scope="col" className="cell-number">
                  {t('billing.op.indexValue')}
                </th>
                <th scope="col">{t('billing.op.createdBy')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((row) => (
                <tr key={row.month} data-testid="syntec-row" data-month={row.month}>
                  <td>{f.month(row.month)}</td>
                  <td className="cell-number">{f.decimal(row.value)}</td>
                  <td className="small muted">{row.createdBy ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function LegalRatesCard() {
  const { t } = useI18n();
  const f = useBillingFormat();
  const notify = useToast();
  const rows = useAsync(() => api.operatorBilling.legalRates().then((r) => r.data), []);
  const year = new Date().getFullYear();
  const [semester, setSemester] = useState(`${year}-07-01`);
  const [rate, setRate] = useState('');
  const submit = useSubmit();
  const list = [...(rows.data ?? [])].sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
  const semesters = [year - 1, year, year + 1].flatMap((y) => [`${y}-01-01`, `${y}-07-01`]);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const percent = rate.trim().replace(',', '.');
    void submit.run(async () => {
      await api.operatorBilling.setLegalRate(semester, percent);
      notify(t('billing.op.rateSaved', { date: f.day(semester), rate: f.percent(percent) }));
      setRate('');
      rows.reload();
    });
  };
  return (
    <section className="card card-flush" aria-labelledby="rates-title">
      <CardHeader id="rates-title" title={t('billing.op.ratesTitle')} />
      <div className="card-pad">
        <p className="muted small">{t('billing.op.ratesText')}</p>
        <form className="form-row billing-form-row" onSubmit={onSubmit} data-testid="rate-form">
          <Field label={t('billing.op.semester')} error={fieldError(submit.error, '/effectiveFrom')}>
            <select
              value={semester}
              onChange={(e) => setSemester(e.target.value)}
              data-testid="rate-semester"
            >
              {semesters.map((s) => (
                <option key={s} value={s}>
                  {t(s.endsWith('-01-01') ? 'billing.op.semester1' : 'billing.op.semester2', {
                    year: s.slice(0, 4),
                  })}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('billing.op.ratePercent')} error={fieldError(submit.error, '/ratePercent')}>
            <input
              type="text"
              inputMode="decimal"
              required
              pattern="[0-9]{1,2}([.,][0-9]{1,2})?"
              value={rate}
              onChange={(e) => setRate(e.target.value)}
              data-testid="rate-value"
            />
          </Field>
          <FormRowSubmit busy={submit.busy} label={t('common.save')} testId="rate-submit" />
        </form>
        <BillingError error={submit.error} />
      </div>
      {rows.loading && !rows.data ? (
        <Loading />
      ) : rows.error ? (
        <CardError error={rows.error} onRetry={rows.reload} />
      ) : list.length === 0 ? (
        <EmptyState title={t('billing.op.noRate')} testId="rates-empty" />
      ) : (
        <div className="table-wrap billing-table-scroll">
          <table className="table table-compact" data-testid="rates-table">
            <caption className="visually-hidden">{t('billing.op.ratesTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('billing.op.effectiveFrom')}</th>
                <th scope="col" className="cell-number">
                  {t('billing.op.ratePercent')}
                </th>
                <th scope="col" className="cell-number">
                  {t('billing.op.penaltyRate')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((row) => (
                <tr key={row.effectiveFrom} data-testid="rate-row" data-from={row.effectiveFrom}>
                  <td>{f.day(row.effectiveFrom)}</td>
                  <td className="cell-number">{f.percent(row.ratePercent)}</td>
                  <td className="cell-number">{f.percent(tripled(row.ratePercent))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** R-LATE: the penalty rate is three times the legal rate; "2.62" → "7.86" without floats. */
function tripled(percent: string): string {
  const [whole = '0', frac = ''] = percent.split('.');
  const hundredths = (Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2))) * 3;
  return `${Math.trunc(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

function PriceListsCard() {
  const { t } = useI18n();
  const lists = useAsync(() => api.operatorBilling.priceLists().then((r) => r.data), []);
  const data = [...(lists.data ?? [])].sort(
    (a, b) => a.code.localeCompare(b.code) || b.version - a.version,
  );
  return (
    <section className="card card-flush" aria-labelledby="price-lists-title">
      <CardHeader id="price-lists-title" title={t('billing.op.priceLists')} />
      {lists.loading && !lists.data ? (
        <Loading />
      ) : lists.error ? (
        <CardError error={lists.error} onRetry={lists.reload} />
      ) : data.length === 0 ? (
        <EmptyState title={t('billing.op.noPriceList')} testId="price-lists-empty" />
      ) : (
        data.map((list) => <PriceListTable key={list.id} list={list} />)
      )}
    </section>
  );
}

function PriceListTable({ list }: { list: PriceList }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  return (
    <div className="card-pad billing-price-list" data-testid="price-list" data-code={list.code}>
      <h3 className="billing-subtitle">
        {t('billing.op.priceListTitle', {
          name: list.name,
          version: list.version,
          date: f.day(list.effectiveFrom),
        })}
      </h3>
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="visually-hidden">{list.name}</caption>
          <thead>
            <tr>
              <th scope="col">{t('billing.product')}</th>
              <th scope="col">{t('billing.op.channelRoute')}</th>
              <th scope="col">{t('billing.country')}</th>
              <th scope="col" className="cell-number">
                {t('billing.unitPriceHt')}
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((item) => (
              <tr key={`${item.product}-${item.channel}-${item.route}-${item.country}`}>
                <td>{productLabel(t, item.product)}</td>
                <td>{item.channel === '*' ? '—' : `${item.channel} · ${item.route}`}</td>
                <td>{item.country === '*' ? t('billing.op.allCountries') : item.country}</td>
                <td className="cell-number cell-nowrap">
                  {item.unitMillicents !== null
                    ? f.unitPrice(item.unitMillicents)
                    : f.euros(item.unitCents)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
