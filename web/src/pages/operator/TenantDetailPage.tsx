import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api';
import { AuditTable } from '../../components/AuditTable';
import { Dialog } from '../../components/Dialog';
import { Badge, EmptyState, ErrorBanner, WarningBanner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { useToast } from '../../components/Toast';
import { fieldError } from '../../errors';
import { useI18n } from '../../i18n';
import { roleLabel, tenantStatus, userStatus } from '../../labels';
import { usePermissions } from '../../permissions';
import { Link } from '../../router';
import type { OpenedTenant, SuspensionKind, Tenant, User } from '../../types';
import { ApiKeyTable } from '../settings/ApiKeysPage';
import { openedTenants, ReasonForm } from './ReasonForm';

export function TenantDetailPage({ tenantId }: { tenantId: string }) {
  const { t } = useI18n();
  const [opened, setOpened] = useState<OpenedTenant | null>(
    () => openedTenants.get(tenantId) ?? null,
  );

  // The data was fetched for one audited opening: forget it when leaving the page.
  useEffect(() => () => void openedTenants.delete(tenantId), [tenantId]);

  const back = (
    <Link to="/operator/tenants" className="back-link" data-testid="back-to-tenants">
      ← {t('operator.backToList')}
    </Link>
  );

  if (!opened) {
    return (
      <>
        {back}
        <PageHeader eyebrow={t('nav.sofy')} title={t('operator.openTitleUnknown')} />
        <section className="card card-narrow">
          <p className="muted">{t('operator.openText')}</p>
          <ReasonForm
            submitLabel={t('operator.openSubmit')}
            onSubmit={async (reason) => setOpened(await api.operator.open(tenantId, reason))}
          />
        </section>
      </>
    );
  }
  return (
    <>
      {back}
      <OpenedTenantView
        opened={opened}
        onTenant={(tenant) => setOpened((o) => (o ? { ...o, tenant } : o))}
      />
    </>
  );
}

function OpenedTenantView({
  opened,
  onTenant,
}: {
  opened: OpenedTenant;
  onTenant: (tenant: Tenant) => void;
}) {
  const { t, formatDate, formatDateTime } = useI18n();
  const notify = useToast();
  const [dialog, setDialog] = useState<'suspend' | 'reactivate' | null>(null);
  const { tenant, users, apiKeys, audit } = opened;
  const status = tenantStatus(t, tenant.status);
  const canSuspend = usePermissions().can('tenants:suspend');
  const suspended = tenant.status === 'suspended_nonpayment' || tenant.status === 'suspended_fraud';

  return (
    <>
      <PageHeader
        eyebrow={t('operator.tenant')}
        title={tenant.name}
        description={
          <>
            <Badge tone={status.tone} testId="tenant-detail-status">
              {status.label}
            </Badge>{' '}
            <span className="muted">
              {t('operator.createdOn', { date: formatDate(tenant.createdAt) })} ·{' '}
              <code>{tenant.id}</code>
            </span>
          </>
        }
        actions={
          <>
            {canSuspend && tenant.status === 'active' && (
              <button
                type="button"
                className="button button-danger"
                onClick={() => setDialog('suspend')}
                data-testid="tenant-suspend"
              >
                {t('operator.suspend')}
              </button>
            )}
            {canSuspend && suspended && (
              <button
                type="button"
                className="button button-primary"
                onClick={() => setDialog('reactivate')}
                data-testid="tenant-reactivate"
              >
                {t('operator.reactivate')}
              </button>
            )}
          </>
        }
      />
      <WarningBanner testId="tenant-audited-notice">{t('operator.auditedNotice')}</WarningBanner>
      {suspended && tenant.statusReason && (
        <div className="banner banner-error" data-testid="tenant-suspension-reason">
          <div className="banner-body">
            <p>
              <strong>{status.label}</strong> — {tenant.statusReason}
            </p>
          </div>
        </div>
      )}

      <section className="card card-flush" aria-labelledby="tenant-users">
        <h2 className="card-title card-pad" id="tenant-users">
          {t('nav.users')} <span className="count">{users.length}</span>
        </h2>
        {users.length === 0 ? (
          <EmptyState title={t('users.empty')} />
        ) : (
          <OperatorUsersTable users={users} formatDateTime={formatDateTime} />
        )}
      </section>

      <section className="card card-flush" aria-labelledby="tenant-keys">
        <h2 className="card-title card-pad" id="tenant-keys">
          {t('nav.apiKeys')} <span className="count">{apiKeys.length}</span>
        </h2>
        {apiKeys.length === 0 ? (
          <EmptyState title={t('apiKeys.empty')} />
        ) : (
          <ApiKeyTable keys={apiKeys} />
        )}
      </section>

      <section className="card card-flush" aria-labelledby="tenant-audit">
        <h2 className="card-title card-pad" id="tenant-audit">
          {t('operator.recentAudit')}
        </h2>
        {audit.length === 0 ? (
          <EmptyState title={t('audit.empty')} />
        ) : (
          <AuditTable entries={audit} testId="tenant-audit-table" />
        )}
      </section>

      {dialog === 'suspend' && (
        <SuspendDialog
          tenant={tenant}
          onClose={() => setDialog(null)}
          onDone={(next) => {
            onTenant(next);
            setDialog(null);
            notify(t('operator.suspended', { name: next.name }));
          }}
        />
      )}
      {dialog === 'reactivate' && (
        <ReactivateDialog
          tenant={tenant}
          onClose={() => setDialog(null)}
          onDone={(next) => {
            onTenant(next);
            setDialog(null);
            notify(t('operator.reactivated', { name: next.name }));
          }}
        />
      )}
    </>
  );
}

function OperatorUsersTable({
  users,
  formatDateTime,
}: {
  users: User[];
  formatDateTime: (iso: string | null) => string;
}) {
  const { t } = useI18n();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="tenant-users-table">
        <caption className="visually-hidden">{t('nav.users')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('users.email')}</th>
            <th scope="col">{t('users.name')}</th>
            <th scope="col">{t('users.role')}</th>
            <th scope="col">{t('users.mfa')}</th>
            <th scope="col">{t('users.status')}</th>
            <th scope="col">{t('users.lastLogin')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => {
            const s = userStatus(t, user.status);
            return (
              <tr key={user.id}>
                <td className="cell-strong">{user.email}</td>
                <td>{user.name}</td>
                <td>{roleLabel(t, user.role)}</td>
                <td>
                  <Badge tone={user.mfaEnabled ? 'success' : 'neutral'}>
                    {user.mfaEnabled ? t('users.mfaOn') : t('users.mfaOff')}
                  </Badge>
                </td>
                <td>
                  <Badge tone={s.tone}>{s.label}</Badge>
                </td>
                <td className="cell-nowrap">
                  {user.lastLoginAt ? (
                    formatDateTime(user.lastLoginAt)
                  ) : (
                    <span className="muted">{t('common.never')}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function SuspendDialog({
  tenant,
  onClose,
  onDone,
}: {
  tenant: Tenant;
  onClose: () => void;
  onDone: (t: Tenant) => void;
}) {
  const { t } = useI18n();
  const [kind, setKind] = useState<SuspensionKind>('nonpayment');
  const [reason, setReason] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const missing = !reason.trim();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (missing) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await api.operator.suspend(tenant.id, kind, reason.trim()));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('operator.suspendTitle', { name: tenant.name })}
      description={t('operator.suspendText')}
      onClose={onClose}
      dismissible={!busy}
      role="alertdialog"
      testId="suspend-dialog"
    >
      <form className="form" onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        <fieldset className="fieldset">
          <legend className="field-label">{t('operator.suspendKind')}</legend>
          <div className="radio-list">
            {(['nonpayment', 'fraud'] as const).map((k) => (
              <div key={k} className={`checkbox-card${kind === k ? ' is-checked' : ''}`}>
                <input
                  id={`suspend-kind-${k}`}
                  type="radio"
                  name="suspend-kind"
                  value={k}
                  checked={kind === k}
                  onChange={() => setKind(k)}
                  aria-describedby={`suspend-kind-${k}-desc`}
                  data-testid={`suspend-kind-${k}`}
                />
                <label htmlFor={`suspend-kind-${k}`}>
                  {t(k === 'nonpayment' ? 'operator.kindNonpayment' : 'operator.kindFraud')}
                </label>
                <span id={`suspend-kind-${k}-desc`} className="checkbox-desc">
                  {t(k === 'nonpayment' ? 'operator.kindNonpaymentText' : 'operator.kindFraudText')}
                </span>
              </div>
            ))}
          </div>
        </fieldset>
        <Field
          label={t('operator.suspendReason')}
          error={
            (submitted && missing ? t('operator.reasonRequired') : undefined) ??
            fieldError(error, '/reason')
          }
        >
          <textarea
            rows={3}
            required
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="suspend-reason"
          />
        </Field>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={busy}
            onCancel={onClose}
            danger
            submitLabel={t('operator.suspend')}
            submitTestId="suspend-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}

function ReactivateDialog({
  tenant,
  onClose,
  onDone,
}: {
  tenant: Tenant;
  onClose: () => void;
  onDone: (t: Tenant) => void;
}) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const missing = !reason.trim();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (missing) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await api.operator.reactivate(tenant.id, reason.trim()));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('operator.reactivateTitle', { name: tenant.name })}
      description={t('operator.reactivateText')}
      onClose={onClose}
      dismissible={!busy}
      testId="reactivate-dialog"
    >
      <form className="form" onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        <Field
          label={t('operator.reactivateReason')}
          error={
            (submitted && missing ? t('operator.reasonRequired') : undefined) ??
            fieldError(error, '/reason')
          }
        >
          <textarea
            rows={3}
            required
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="reactivate-reason"
          />
        </Field>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={busy}
            onCancel={onClose}
            submitLabel={t('operator.reactivate')}
            submitTestId="reactivate-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}
