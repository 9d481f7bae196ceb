import { type FormEvent, useMemo, useState } from 'react';
import { api } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { Dialog } from '../../../components/Dialog';
import { Badge, EmptyState, Loading, SuccessBanner } from '../../../components/Feedback';
import { Field } from '../../../components/Field';
import { CancelSubmitButtons } from '../../../components/FormButtons';
import { useToast } from '../../../components/Toast';
import { ToolbarSelect } from '../../../components/Toolbar';
import { fieldError } from '../../../errors';
import { useAsync } from '../../../hooks';
import { useI18n } from '../../../i18n';
import { Link } from '../../../router';
import type {
  BillingOrderForm,
  NewOrderForm,
  OperatorTenant,
  OrderFormStatus,
  PriceList,
} from '../../../types';
import { centsToInput, parseEuros, today, useBillingFormat } from '../../billing/format';
import {
  methodLabel,
  orderFormStatus,
  PER_POI,
  productLabel,
  SUBSCRIPTION_PRODUCTS,
  viesOutcome,
} from '../../billing/labels';
import { BillingError, Facts } from '../../billing/shared';
import { CardError, CardHeader, TenantSelect, useTenantLabels, useTenants } from './common';

export function OrderFormsTab() {
  const { t } = useI18n();
  const f = useBillingFormat();
  const notify = useToast();
  const [status, setStatus] = useState<OrderFormStatus | ''>('');
  const forms = useAsync(
    () => api.operatorBilling.orderForms({ status: status || undefined }).then((r) => r.data),
    [status],
  );
  const tenants = useTenants();
  const [creating, setCreating] = useState(false);
  const [viewing, setViewing] = useState<BillingOrderForm | null>(null);
  const [signing, setSigning] = useState<BillingOrderForm | null>(null);
  const [cancelling, setCancelling] = useState<BillingOrderForm | null>(null);
  const [signed, setSigned] = useState<{ name: string; invoice: boolean } | null>(null);
  const list = forms.data ?? [];

  const createButton = (
    <button
      type="button"
      className="button button-primary"
      onClick={() => setCreating(true)}
      data-testid="order-form-create"
    >
      {t('billing.op.newOrderForm')}
    </button>
  );

  return (
    <>
      <p className="tab-intro">{t('billing.op.orderFormsIntro')}</p>
      {signed && (
        <SuccessBanner>
          <span data-testid="order-form-signed">
            {signed.invoice
              ? t('billing.op.signedWithInvoice', { name: signed.name })
              : t('billing.op.signed', { name: signed.name })}
          </span>{' '}
          <Link to="/operator/billing/invoices" data-testid="order-form-signed-invoices">
            {t('billing.op.seeInvoices')}
          </Link>
        </SuccessBanner>
      )}
      <section className="card card-flush" aria-labelledby="order-forms-title">
        <CardHeader id="order-forms-title" title={t('billing.op.orderForms')} actions={createButton} />
        <div className="toolbar">
          <ToolbarSelect<OrderFormStatus>
            id="order-form-status"
            label={t('billing.status')}
            value={status}
            onChange={setStatus}
            allLabel={t('billing.op.allStatuses')}
            options={(['draft', 'signed', 'cancelled'] as const).map((s) => ({
              value: s,
              label: orderFormStatus(t, s).label,
            }))}
            testId="order-form-status-filter"
          />
        </div>
        {forms.loading && !forms.data ? (
          <Loading />
        ) : forms.error ? (
          <CardError error={forms.error} onRetry={forms.reload} />
        ) : list.length === 0 ? (
          <EmptyState
            title={t('billing.op.noOrderForm')}
            icon="✍️"
            testId="order-forms-empty"
            action={status ? undefined : createButton}
          >
            <p>{t('billing.op.noOrderFormText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="order-forms">
              <caption className="visually-hidden">{t('billing.op.orderForms')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.client')}</th>
                  <th scope="col">{t('billing.products')}</th>
                  <th scope="col" className="cell-number">
                    {t('billing.poi')}
                  </th>
                  <th scope="col">{t('billing.term')}</th>
                  <th scope="col">{t('billing.startDate')}</th>
                  <th scope="col" className="cell-number">
                    {t('billing.onboardingFee')}
                  </th>
                  <th scope="col">{t('billing.status')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((form) => {
                  const s = orderFormStatus(t, form.status);
                  return (
                    <tr
                      key={form.id}
                      data-testid="order-form-row"
                      data-id={form.id}
                      data-status={form.status}
                      data-tenant-id={form.tenantId}
                    >
                      <td>
                        <button
                          type="button"
                          className="link-button cell-strong"
                          onClick={() => setViewing(form)}
                          data-testid="order-form-open"
                        >
                          {form.legalName}
                        </button>
                        <div className="muted small">{form.tenantName}</div>
                        {form.vies && (
                          <Badge tone={viesOutcome(t, form.vies.outcome).tone}>
                            {viesOutcome(t, form.vies.outcome).label}
                          </Badge>
                        )}
                      </td>
                      <td className="small">
                        {form.items.map((i) => productLabel(t, i.product)).join(', ')}
                      </td>
                      <td className="cell-number">{form.poiCount}</td>
                      <td className="cell-nowrap">
                        {t('billing.termMonths', { months: form.termMonths })}
                      </td>
                      <td className="cell-nowrap">{f.day(form.startDate)}</td>
                      <td className="cell-number cell-nowrap">{f.euros(form.onboardingFeeCents)}</td>
                      <td>
                        <Badge tone={s.tone} testId="order-form-status">
                          {s.label}
                        </Badge>
                        {form.signedOn && (
                          <div className="muted small">{f.day(form.signedOn)}</div>
                        )}
                      </td>
                      <td className="cell-actions">
                        {form.status === 'draft' && (
                          <div className="row-actions">
                            <button
                              type="button"
                              className="button button-primary button-sm"
                              onClick={() => setSigning(form)}
                              aria-label={t('billing.op.signNamed', { name: form.legalName })}
                              data-testid="order-form-sign"
                            >
                              {t('billing.op.sign')}
                            </button>
                            <button
                              type="button"
                              className="button button-danger-ghost button-sm"
                              onClick={() => setCancelling(form)}
                              aria-label={t('billing.op.cancelNamed', { name: form.legalName })}
                              data-testid="order-form-cancel"
                            >
                              {t('billing.op.cancelOrderForm')}
                            </button>
                          </div>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {creating && (
        <OrderFormDialog
          tenants={tenants.data}
          onClose={() => setCreating(false)}
          onCreated={(form) => {
            setCreating(false);
            forms.reload();
            setViewing(form);
            notify(t('billing.op.orderFormCreated', { name: form.legalName }));
          }}
        />
      )}
      {viewing && (
        <OrderFormDetail
          form={viewing}
          onClose={() => setViewing(null)}
          onSign={
            viewing.status === 'draft'
              ? () => {
                  setSigning(viewing);
                  setViewing(null);
                }
              : undefined
          }
        />
      )}
      {signing && (
        <SignDialog
          form={signing}
          onClose={() => setSigning(null)}
          onSigned={(invoiceId) => {
            setSigning(null);
            forms.reload();
            setSigned({ name: signing.legalName, invoice: Boolean(invoiceId) });
          }}
        />
      )}
      {cancelling && (
        <ConfirmDialog
          title={t('billing.op.cancelTitle', { name: cancelling.legalName })}
          message={t('billing.op.cancelText')}
          confirmLabel={t('billing.op.cancelOrderForm')}
          danger
          onClose={() => setCancelling(null)}
          onConfirm={async () => {
            await api.operatorBilling.cancelOrderForm(cancelling.id);
            forms.reload();
          }}
        />
      )}
    </>
  );
}

/** An order form as signed or to be signed: identity, VIES answer, products, terms. */
function OrderFormDetail({
  form,
  onClose,
  onSign,
}: {
  form: BillingOrderForm;
  onClose: () => void;
  onSign?: () => void;
}) {
  const { t, formatDateTime } = useI18n();
  const f = useBillingFormat();
  const vies = form.vies ? viesOutcome(t, form.vies.outcome) : null;
  return (
    <Dialog
      title={t('billing.op.orderFormTitle', { name: form.legalName })}
      onClose={onClose}
      size="lg"
      testId="order-form-detail"
      footer={
        onSign ? (
          <button
            type="button"
            className="button button-primary"
            onClick={onSign}
            data-testid="order-form-detail-sign"
          >
            {t('billing.op.sign')}
          </button>
        ) : undefined
      }
    >
      <Facts
        items={[
          { label: t('billing.client'), value: form.tenantName ?? form.tenantId },
          {
            label: t('billing.legalName'),
            value: [form.legalName, form.legalForm].filter(Boolean).join(', '),
          },
          { label: t('billing.siren'), value: form.siren ?? '—' },
          { label: t('billing.vatNumber'), value: form.vatNumber ?? '—' },
          {
            label: t('billing.address'),
            value: `${form.address.line}, ${form.address.postalCode} ${form.address.city} (${form.address.country})`,
            wide: true,
          },
          { label: t('billing.billingEmail'), value: form.billingEmail },
          { label: t('billing.poi'), value: form.poiCount },
          { label: t('billing.term'), value: t('billing.termMonths', { months: form.termMonths }) },
          { label: t('billing.startDate'), value: f.day(form.startDate) },
          { label: t('billing.onboardingFee'), value: f.euros(form.onboardingFeeCents) },
          {
            label: t('billing.paymentMethod'),
            value:
              form.sepa && form.paymentMethod === 'sepa'
                ? `${methodLabel(t, 'sepa')} · ${form.sepa.rum}`
                : methodLabel(t, form.paymentMethod),
          },
        ]}
      />
      <div className="billing-vies" data-testid="order-form-vies">
        <h3 className="billing-subtitle">{t('billing.op.viesTitle')}</h3>
        {form.vies && vies ? (
          <p>
            <Badge tone={vies.tone}>{vies.label}</Badge>{' '}
            <span data-testid="order-form-vies-outcome" data-outcome={form.vies.outcome}>
              {t('billing.op.viesChecked', {
                number: form.vies.vatNumber,
                at: formatDateTime(form.vies.checkedAt),
              })}
            </span>
            {form.vies.traderName && (
              <span className="muted small">
                {' '}
                · {form.vies.traderName}
                {form.vies.requestIdentifier
                  ? ` · ${t('billing.op.viesRequest', { id: form.vies.requestIdentifier })}`
                  : ''}
              </span>
            )}
          </p>
        ) : (
          <p className="muted">{t('billing.op.viesNone')}</p>
        )}
      </div>
      <div className="table-wrap">
        <table className="table table-compact" data-testid="order-form-items">
          <caption className="visually-hidden">{t('billing.products')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('billing.product')}</th>
              <th scope="col" className="cell-number">
                {t('billing.unitPriceHt')}
              </th>
            </tr>
          </thead>
          <tbody>
            {form.items.map((item) => (
              <tr key={item.product}>
                <td>{productLabel(t, item.product)}</td>
                <td className="cell-number">
                  {PER_POI.has(item.product)
                    ? t('billing.perPoiMonth', { price: f.euros(item.unitCents) })
                    : t('billing.perMonth', { price: f.euros(item.unitCents) })}
                </td>
              </tr>
            ))}
            {form.messagingPrices.map((p) => (
              <tr key={`${p.channel}-${p.route}-${p.country}`}>
                <td>
                  {productLabel(t, 'messaging')} · {p.channel} · {p.route} · {p.country}
                </td>
                <td className="cell-number">{f.unitPrice(p.unitMillicents)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Dialog>
  );
}

interface ProductLine {
  on: boolean;
  price: string;
}

/** The list price in force (code `standard`), for prefilling. */
function standardPrices(lists: PriceList[] | undefined, date: string): Map<string, number> {
  const current = (lists ?? [])
    .filter((l) => l.code === 'standard' && l.effectiveFrom <= date)
    .sort((a, b) => b.version - a.version)[0];
  const prices = new Map<string, number>();
  for (const item of current?.items ?? []) {
    if (item.unitCents !== null && item.product !== 'messaging') prices.set(item.product, item.unitCents);
  }
  return prices;
}

function OrderFormDialog({
  tenants,
  onClose,
  onCreated,
}: {
  tenants: OperatorTenant[] | undefined;
  onClose: () => void;
  onCreated: (form: BillingOrderForm) => void;
}) {
  const { t, locale } = useI18n();
  const tl = useTenantLabels();
  const lists = useAsync(() => api.operatorBilling.priceLists().then((r) => r.data), []);
  const prices = useMemo(() => standardPrices(lists.data, today()), [lists.data]);
  const [tenantId, setTenantId] = useState('');
  const [legalName, setLegalName] = useState('');
  const [legalForm, setLegalForm] = useState('SAS');
  const [siren, setSiren] = useState('');
  const [addressLine, setAddressLine] = useState('');
  const [postalCode, setPostalCode] = useState('');
  const [city, setCity] = useState('');
  const [country, setCountry] = useState('FR');
  const [vatNumber, setVatNumber] = useState('');
  const [billingEmail, setBillingEmail] = useState('');
  const [products, setProducts] = useState<Record<string, ProductLine>>({});
  const [poiCount, setPoiCount] = useState('1');
  const [termMonths, setTermMonths] = useState<12 | 24 | 36>(12);
  const [startDate, setStartDate] = useState(today());
  const [onboardingFee, setOnboardingFee] = useState<string | null>(null);
  const [paymentMethod, setPaymentMethod] = useState<'sepa' | 'transfer'>('transfer');
  const [rum, setRum] = useState('');
  const [iban, setIban] = useState('');
  const [bic, setBic] = useState('');
  const [mandateSignedOn, setMandateSignedOn] = useState(today());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});

  // Until the operator types a price, the list price is shown (and sent as the negotiated one).
  const line = (product: string): ProductLine =>
    products[product] ?? {
      on: product === 'soview',
      price: prices.has(product) ? centsToInput(prices.get(product) ?? 0, locale) : '',
    };
  const fee =
    onboardingFee ?? (prices.has('onboarding') ? centsToInput(prices.get('onboarding') ?? 0, locale) : '');

  const pickTenant = (id: string) => {
    setTenantId(id);
    const tenant = tenants?.find((x) => x.id === id);
    if (tenant && !legalName) setLegalName(tenant.name);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    const items: { product: string; unitCents: number }[] = [];
    for (const product of SUBSCRIPTION_PRODUCTS) {
      const l = line(product);
      if (!l.on) continue;
      const cents = parseEuros(l.price);
      if (cents === null || cents < 0) problems[`price-${product}`] = t('billing.op.badAmount');
      else items.push({ product, unitCents: cents });
    }
    if (items.length === 0 && !problems.products) problems.products = t('billing.op.chooseProduct');
    const feeCents = parseEuros(fee || '0');
    if (feeCents === null || feeCents < 0) problems.fee = t('billing.op.badAmount');
    const poi = Number(poiCount);
    if (!Number.isInteger(poi) || poi < 0) problems.poi = t('billing.op.badCount');
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    const input: NewOrderForm = {
      tenantId,
      legalName: legalName.trim(),
      addressLine: addressLine.trim(),
      postalCode: postalCode.trim(),
      city: city.trim(),
      country: country.trim().toUpperCase(),
      billingEmail: billingEmail.trim(),
      items,
      poiCount: poi,
      termMonths,
      startDate,
      onboardingFeeCents: feeCents ?? 0,
      paymentMethod,
      ...(legalForm.trim() ? { legalForm: legalForm.trim() } : {}),
      ...(siren.trim() ? { siren: siren.trim() } : {}),
      ...(vatNumber.trim() ? { vatNumber: vatNumber.replace(/\s/g, '').toUpperCase() } : {}),
      ...(paymentMethod === 'sepa'
        ? {
            sepa: {
              rum: rum.trim(),
              iban: iban.replace(/\s/g, '').toUpperCase(),
              bic: bic.trim().toUpperCase(),
              signedOn: mandateSignedOn,
            },
          }
        : {}),
    };
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.operatorBilling.createOrderForm(input));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const fe = (path: string) => fieldError(error, path);

  return (
    <Dialog
      title={t('billing.op.newOrderForm')}
      description={t('billing.op.newOrderFormText')}
      onClose={onClose}
      dismissible={!busy}
      size="lg"
      testId="order-form-dialog"
    >
      <form className="form" onSubmit={submit} data-testid="order-form-form">
        <BillingError error={error} testId="order-form-error" />
        <TenantSelect
          tenants={tenants}
          value={tenantId}
          onChange={pickTenant}
          label={tl.label}
          allLabel={tl.choose}
          required
          error={fe('/tenantId')}
          testId="of-tenant"
        />
        <fieldset className="fieldset billing-fieldset">
          <legend className="field-label">{t('billing.op.legalIdentity')}</legend>
          <div className="form-grid">
            <Field label={t('billing.legalName')} error={fe('/legalName')}>
              <input
                type="text"
                required
                maxLength={200}
                value={legalName}
                onChange={(e) => setLegalName(e.target.value)}
                data-testid="of-legal-name"
              />
            </Field>
            <Field label={t('billing.legalForm')} optional optionalLabel={t('common.optional')}>
              <input
                type="text"
                maxLength={50}
                value={legalForm}
                onChange={(e) => setLegalForm(e.target.value)}
                data-testid="of-legal-form"
              />
            </Field>
            <Field
              label={t('billing.siren')}
              hint={t('billing.op.sirenHint')}
              error={fe('/siren')}
            >
              <input
                type="text"
                inputMode="numeric"
                maxLength={11}
                value={siren}
                onChange={(e) => setSiren(e.target.value)}
                data-testid="of-siren"
              />
            </Field>
            <Field
              label={t('billing.vatNumber')}
              hint={t('billing.op.vatHint')}
              error={fe('/vatNumber')}
            >
              <input
                type="text"
                maxLength={30}
                value={vatNumber}
                onChange={(e) => setVatNumber(e.target.value)}
                data-testid="of-vat-number"
              />
            </Field>
            <div className="summary-wide">
              <Field label={t('billing.addressLine')} error={fe('/addressLine')}>
                <input
                  type="text"
                  required
                  maxLength={300}
                  value={addressLine}
                  onChange={(e) => setAddressLine(e.target.value)}
                  data-testid="of-address"
                />
              </Field>
            </div>
            <Field label={t('billing.postalCode')} error={fe('/postalCode')}>
              <input
                type="text"
                required
                maxLength={20}
                value={postalCode}
                onChange={(e) => setPostalCode(e.target.value)}
                data-testid="of-postal-code"
              />
            </Field>
            <Field label={t('billing.city')} error={fe('/city')}>
              <input
                type="text"
                required
                maxLength={100}
                value={city}
                onChange={(e) => setCity(e.target.value)}
                data-testid="of-city"
              />
            </Field>
            <Field
              label={t('billing.country')}
              hint={t('billing.op.countryHint')}
              error={fe('/country')}
            >
              <input
                type="text"
                required
                minLength={2}
                maxLength={2}
                pattern="[A-Za-z]{2}"
                value={country}
                onChange={(e) => setCountry(e.target.value.toUpperCase())}
                data-testid="of-country"
              />
            </Field>
            <Field label={t('billing.billingEmail')} error={fe('/billingEmail')}>
              <input
                type="email"
                required
                maxLength={254}
                value={billingEmail}
                onChange={(e) => setBillingEmail(e.target.value)}
                data-testid="of-billing-email"
              />
            </Field>
          </div>
        </fieldset>

        <fieldset
          className={`fieldset billing-fieldset${local.products ? ' field-invalid' : ''}`}
          data-testid="of-products"
        >
          <legend className="field-label">{t('billing.op.productsAndPrices')}</legend>
          <p className="field-hint">{t('billing.op.productsHint')}</p>
          <div className="billing-product-list">
            {SUBSCRIPTION_PRODUCTS.map((product) => {
              const l = line(product);
              const priceId = `of-price-${product}`;
              return (
                <div
                  key={product}
                  className={`checkbox-card billing-product${l.on ? ' is-checked' : ''}`}
                >
                  <input
                    id={`of-product-${product}`}
                    type="checkbox"
                    checked={l.on}
                    onChange={(e) =>
                      setProducts((p) => ({ ...p, [product]: { ...l, on: e.target.checked } }))
                    }
                    data-testid={`of-product-${product}`}
                  />
                  <label htmlFor={`of-product-${product}`}>{productLabel(t, product)}</label>
                  <div className="billing-product-price">
                    <label htmlFor={priceId} className="small muted">
                      {PER_POI.has(product) ? t('billing.op.pricePerPoi') : t('billing.op.pricePerMonth')}
                    </label>
                    <input
                      id={priceId}
                      type="text"
                      inputMode="decimal"
                      disabled={!l.on}
                      value={l.price}
                      aria-invalid={local[`price-${product}`] ? true : undefined}
                      onChange={(e) =>
                        setProducts((p) => ({ ...p, [product]: { ...l, price: e.target.value } }))
                      }
                      data-testid={`of-price-${product}`}
                    />
                    {local[`price-${product}`] && (
                      <span className="field-error">{local[`price-${product}`]}</span>
                    )}
                  </div>
                </div>
              );
            })}
          </div>
          {local.products && <div className="field-error">{local.products}</div>}
        </fieldset>

        <div className="form-grid">
          <Field
            label={t('billing.poi')}
            hint={t('billing.op.poiHint')}
            error={local.poi ?? fe('/poiCount')}
          >
            <input
              type="number"
              min={0}
              max={100000}
              step={1}
              required
              value={poiCount}
              onChange={(e) => setPoiCount(e.target.value)}
              data-testid="of-poi"
            />
          </Field>
          <Field label={t('billing.startDate')} error={fe('/startDate')}>
            <input
              type="date"
              required
              value={startDate}
              onChange={(e) => setStartDate(e.target.value)}
              data-testid="of-start-date"
            />
          </Field>
          <fieldset className="fieldset">
            <legend className="field-label">{t('billing.term')}</legend>
            <div className="segmented" role="radiogroup" aria-label={t('billing.term')}>
              {([12, 24, 36] as const).map((months) => (
                <label
                  key={months}
                  className="segmented-option billing-segmented-option"
                  data-checked={termMonths === months}
                >
                  <input
                    type="radio"
                    name="of-term"
                    className="visually-hidden"
                    checked={termMonths === months}
                    onChange={() => setTermMonths(months)}
                    data-testid={`of-term-${months}`}
                  />
                  {t('billing.termMonths', { months })}
                </label>
              ))}
            </div>
          </fieldset>
          <Field
            label={t('billing.onboardingFee')}
            hint={t('billing.op.onboardingHint')}
            error={local.fee ?? fe('/onboardingFeeCents')}
          >
            <input
              type="text"
              inputMode="decimal"
              value={fee}
              onChange={(e) => setOnboardingFee(e.target.value)}
              data-testid="of-onboarding-fee"
            />
          </Field>
        </div>

        <fieldset className="fieldset billing-fieldset">
          <legend className="field-label">{t('billing.paymentMethod')}</legend>
          <div className="checkbox-list">
            {(['transfer', 'sepa'] as const).map((m) => (
              <div key={m} className={`checkbox-card${paymentMethod === m ? ' is-checked' : ''}`}>
                <input
                  id={`of-method-${m}`}
                  type="radio"
                  name="of-method"
                  checked={paymentMethod === m}
                  onChange={() => setPaymentMethod(m)}
                  aria-describedby={`of-method-${m}-desc`}
                  data-testid={`of-method-${m}`}
                />
                <label htmlFor={`of-method-${m}`}>{methodLabel(t, m)}</label>
                <span id={`of-method-${m}-desc`} className="checkbox-desc">
                  {t(m === 'sepa' ? 'billing.op.sepaText' : 'billing.op.transferText')}
                </span>
              </div>
            ))}
          </div>
          {paymentMethod === 'sepa' && (
            <div className="form-grid billing-sepa-fields">
              <Field label={t('billing.rum')} hint={t('billing.op.rumHint')} error={fe('/sepa/rum')}>
                <input
                  type="text"
                  required
                  maxLength={35}
                  value={rum}
                  onChange={(e) => setRum(e.target.value)}
                  data-testid="of-rum"
                />
              </Field>
              <Field label={t('billing.mandateSignedOn')} error={fe('/sepa/signedOn')}>
                <input
                  type="date"
                  required
                  max={today()}
                  value={mandateSignedOn}
                  onChange={(e) => setMandateSignedOn(e.target.value)}
                  data-testid="of-mandate-date"
                />
              </Field>
              <Field label={t('billing.iban')} error={fe('/sepa/iban')}>
                <input
                  type="text"
                  required
                  maxLength={42}
                  value={iban}
                  onChange={(e) => setIban(e.target.value)}
                  data-testid="of-iban"
                />
              </Field>
              <Field label={t('billing.bic')} error={fe('/sepa/bic')}>
                <input
                  type="text"
                  required
                  maxLength={11}
                  value={bic}
                  onChange={(e) => setBic(e.target.value)}
                  data-testid="of-bic"
                />
              </Field>
            </div>
          )}
        </fieldset>

        <div className="form-actions">
          <CancelSubmitButtons
            busy={busy}
            onCancel={onClose}
            submitLabel={t('billing.op.createOrderForm')}
            submitTestId="of-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}

function SignDialog({
  form,
  onClose,
  onSigned,
}: {
  form: BillingOrderForm;
  onClose: () => void;
  onSigned: (onboardingInvoiceId: string | null) => void;
}) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const [signedOn, setSignedOn] = useState(today());
  const [signatory, setSignatory] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api.operatorBilling.signOrderForm(form.id, {
        signedOn,
        signatoryName: signatory.trim(),
      });
      onSigned(result.onboardingInvoiceId);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('billing.op.signTitle', { name: form.legalName })}
      description={t('billing.op.signText', { fee: f.euros(form.onboardingFeeCents) })}
      onClose={onClose}
      dismissible={!busy}
      testId="sign-dialog"
    >
      <form className="form" onSubmit={submit}>
        <BillingError error={error} testId="sign-error" />
        <Field label={t('billing.op.signedOn')} error={fieldError(error, '/signedOn')}>
          <input
            type="date"
            required
            max={today()}
            value={signedOn}
            onChange={(e) => setSignedOn(e.target.value)}
            data-testid="sign-date"
          />
        </Field>
        <Field label={t('billing.op.signatory')} error={fieldError(error, '/signatoryName')}>
          <input
            type="text"
            required
            maxLength={200}
            value={signatory}
            onChange={(e) => setSignatory(e.target.value)}
            data-testid="sign-signatory"
          />
        </Field>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={busy}
            onCancel={onClose}
            submitLabel={t('billing.op.signSubmit')}
            submitTestId="sign-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}
