import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api';
import { Dialog } from '../../components/Dialog';
import { Badge, EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { SecretDialog, type SecretItem } from '../../components/SecretDialog';
import { ToolbarSelect } from '../../components/Toolbar';
import { fieldError } from '../../errors';
import { useAsync } from '../../hooks';
import { useI18n } from '../../i18n';
import { TENANT_STATUSES, tenantStatus } from '../../labels';
import { usePermissions } from '../../permissions';
import { navigate } from '../../router';
import type { CreatedTenant, OperatorTenant, TenantStatus } from '../../types';
import { openedTenants, ReasonForm } from './ReasonForm';

/** The contract names `apiKey` without its shape: accept a secret string or `{secret, apiKey}`. */
function createdKeySecret(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.secret === 'string') return v.secret;
    const key = v.apiKey as Record<string, unknown> | undefined;
    if (key && typeof key.prefix === 'string') return `${key.prefix}…`;
    if (typeof v.prefix === 'string') return `${v.prefix}…`;
  }
  return null;
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function TenantsPage() {
  const { t, formatDate, formatNumber } = useI18n();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<TenantStatus | ''>('');
  const query = useDebounced(q.trim(), 250);
  const tenants = useAsync(
    () => api.operator.tenants({ q: query, status }).then((r) => r.data),
    [query, status],
  );
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedTenant | null>(null);
  const [opening, setOpening] = useState<OperatorTenant | null>(null);
  const { can } = usePermissions();
  const list = tenants.data ?? [];
  const filtered = Boolean(query || status);

  const createButton = (
    <button
      type="button"
      className="button button-primary"
      onClick={() => setCreating(true)}
      data-testid="tenant-create"
    >
      {t('operator.create')}
    </button>
  );

  const createdItems: SecretItem[] = [];
  if (created) {
    createdItems.push(
      {
        label: t('operator.adminEmail'),
        value: created.admin.email,
        testId: 'tenant-admin-email-value',
        plain: true,
      },
      {
        label: t('users.oneTimePassword'),
        value: created.admin.oneTimePassword,
        testId: 'tenant-admin-otp',
      },
    );
    const secret = createdKeySecret(created.apiKey);
    if (secret)
      createdItems.push({
        label: t('apiKeys.secret'),
        value: secret,
        testId: 'tenant-api-key-secret',
      });
  }

  return (
    <>
      <PageHeader
        eyebrow={t('nav.sofy')}
        title={t('operator.title')}
        description={t('operator.description')}
        actions={can('tenants:create') ? createButton : undefined}
      />
      <section className="card card-flush">
        <search aria-label={t('operator.searchLabel')}>
          <form className="toolbar" onSubmit={(e) => e.preventDefault()}>
            <div className="toolbar-field toolbar-grow">
              <label htmlFor="tenant-search" className="field-label">
                {t('operator.search')}
              </label>
              <input
                id="tenant-search"
                type="search"
                placeholder={t('operator.searchPlaceholder')}
                value={q}
                onChange={(e) => setQ(e.target.value)}
                data-testid="tenant-search"
              />
            </div>
            <ToolbarSelect<TenantStatus>
              id="tenant-status"
              label={t('operator.status')}
              value={status}
              onChange={setStatus}
              allLabel={t('operator.allStatuses')}
              options={TENANT_STATUSES.map((s) => ({ value: s, label: tenantStatus(t, s).label }))}
              testId="tenant-status-filter"
            />
          </form>
        </search>
        {tenants.loading && !tenants.data ? (
          <Loading />
        ) : tenants.error ? (
          <div className="card-pad">
            <ErrorBanner error={tenants.error} onRetry={tenants.reload} />
          </div>
        ) : list.length === 0 ? (
          <EmptyState
            title={filtered ? t('operator.emptyFiltered') : t('operator.empty')}
            action={filtered || !can('tenants:create') ? undefined : createButton}
            testId="tenants-empty"
          >
            <p>{filtered ? t('operator.emptyFilteredText') : t('operator.emptyText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap" aria-busy={tenants.loading}>
            <table className="table" data-testid="tenants-table">
              <caption className="visually-hidden">{t('operator.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('operator.name')}</th>
                  <th scope="col">{t('operator.status')}</th>
                  <th scope="col" className="cell-number">
                    {t('operator.users')}
                  </th>
                  <th scope="col">{t('operator.createdAt')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((tenant) => {
                  const s = tenantStatus(t, tenant.status);
                  return (
                    <tr
                      key={tenant.id}
                      data-testid="tenant-row"
                      data-tenant-id={tenant.id}
                      data-name={tenant.name}
                    >
                      <td className="cell-strong">
                        {tenant.name}
                        {tenant.statusReason && tenant.status !== 'active' && (
                          <div className="muted small">{tenant.statusReason}</div>
                        )}
                      </td>
                      <td>
                        <Badge tone={s.tone} testId="tenant-status">
                          {s.label}
                        </Badge>
                      </td>
                      <td className="cell-number">{formatNumber(tenant.userCount ?? 0)}</td>
                      <td className="cell-nowrap">{formatDate(tenant.createdAt)}</td>
                      <td className="cell-actions">
                        {can('tenants:open') && (
                          <button
                            type="button"
                            className="button button-secondary button-sm"
                            onClick={() => setOpening(tenant)}
                            aria-label={t('operator.openNamed', { name: tenant.name })}
                            data-testid="tenant-open"
                          >
                            {t('operator.open')}
                          </button>
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
        <CreateTenantDialog
          onClose={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
            tenants.reload();
          }}
        />
      )}
      {created && (
        <SecretDialog
          title={t('operator.createdTitle', { name: created.tenant.name })}
          intro={t('operator.createdIntro')}
          warning={t('operator.createdWarning')}
          items={createdItems}
          onClose={() => setCreated(null)}
          testId="tenant-created-dialog"
        />
      )}
      {opening && (
        <Dialog
          title={t('operator.openTitle', { name: opening.name })}
          description={t('operator.openText')}
          onClose={() => setOpening(null)}
          testId="open-tenant-dialog"
        >
          <ReasonForm
            submitLabel={t('operator.openSubmit')}
            onCancel={() => setOpening(null)}
            onSubmit={async (reason) => {
              const opened = await api.operator.open(opening.id, reason);
              openedTenants.set(opening.id, opened);
              setOpening(null);
              navigate(`/operator/tenants/${encodeURIComponent(opening.id)}`);
            }}
          />
        </Dialog>
      )}
    </>
  );
}

function CreateTenantDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (result: CreatedTenant) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [adminEmail, setAdminEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const email = adminEmail.trim();
      onCreated(
        await api.operator.createTenant({
          name: name.trim(),
          ...(email ? { adminEmail: email } : {}),
        }),
      );
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('operator.createTitle')}
      description={t('operator.createText')}
      onClose={onClose}
      dismissible={!busy}
      testId="create-tenant-dialog"
    >
      <form className="form" onSubmit={submit} data-testid="create-tenant-form">
        <ErrorBanner error={error} />
        <Field label={t('operator.name')} error={fieldError(error, '/name')}>
          <input
            type="text"
            required
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="tenant-name-input"
          />
        </Field>
        <Field
          label={t('operator.adminEmail')}
          optional
          optionalLabel={t('common.optional')}
          hint={t('operator.adminEmailHint')}
          error={fieldError(error, '/adminEmail')}
        >
          <input
            type="email"
            autoComplete="off"
            value={adminEmail}
            onChange={(e) => setAdminEmail(e.target.value)}
            data-testid="tenant-admin-email"
          />
        </Field>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={busy}
            onCancel={onClose}
            submitLabel={t('operator.createSubmit')}
            submitTestId="tenant-create-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}
