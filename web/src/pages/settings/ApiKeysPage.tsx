import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { CheckboxGroup } from '../../components/CheckboxGroup';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Badge, EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { SecretDialog } from '../../components/SecretDialog';
import { useToast } from '../../components/Toast';
import { fieldError } from '../../errors';
import { useAsync } from '../../hooks';
import { useI18n } from '../../i18n';
import { apiKeyState, apiKeyStatus, scopeDescription } from '../../labels';
import { usePermissions } from '../../permissions';
import { parisDate, parisEndOfDay } from '../../time';
import { API_SCOPES, type ApiKey, type CreatedApiKey } from '../../types';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/(3[0-2]|[12]?\d))?$/;
const IPV6 = /^[0-9a-f:]*:[0-9a-f:.]*(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/i;

export function parseIpList(text: string): { ips: string[]; invalid: string[] } {
  const ips = text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return { ips, invalid: ips.filter((ip) => !IPV4.test(ip) && !IPV6.test(ip)) };
}

export function ApiKeysPage() {
  const { t } = useI18n();
  const notify = useToast();
  const manage = usePermissions().can('apikeys:manage');
  const keys = useAsync(() => api.apiKeys.list().then((r) => r.data), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const list = keys.data ?? [];

  const createButton = (
    <button
      type="button"
      className="button button-primary"
      onClick={() => setCreating(true)}
      data-testid="api-key-create"
    >
      {t('apiKeys.create')}
    </button>
  );

  return (
    <>
      <PageHeader
        eyebrow={t('nav.settings')}
        title={t('apiKeys.title')}
        description={t('apiKeys.description')}
        actions={manage && !creating && list.length > 0 ? createButton : undefined}
      />
      {creating && (
        <CreateKeyForm
          onCancel={() => setCreating(false)}
          onCreated={(result) => {
            keys.setData((previous) => [result.apiKey, ...(previous ?? [])]);
            setCreating(false);
            setCreated(result);
          }}
        />
      )}
      <section className="card card-flush" aria-label={t('apiKeys.listLabel')}>
        {keys.loading ? (
          <Loading />
        ) : keys.error ? (
          <div className="card-pad">
            <ErrorBanner error={keys.error} onRetry={keys.reload} />
          </div>
        ) : list.length === 0 ? (
          <EmptyState
            title={t('apiKeys.empty')}
            action={manage && !creating ? createButton : undefined}
            icon="🔑"
            testId="api-keys-empty"
          >
            <p>{t('apiKeys.emptyText')}</p>
          </EmptyState>
        ) : (
          <ApiKeyTable keys={list} onRevoke={manage ? setRevoking : undefined} />
        )}
      </section>

      {created && (
        <SecretDialog
          title={t('apiKeys.secretTitle')}
          intro={t('apiKeys.secretIntro', { name: created.apiKey.name })}
          warning={t('apiKeys.secretWarning')}
          items={[{ label: t('apiKeys.secret'), value: created.secret, testId: 'secret-value' }]}
          onClose={() => setCreated(null)}
          testId="secret-dialog"
          closeLabel={t('apiKeys.secretDone')}
        />
      )}
      {revoking && (
        <ConfirmDialog
          title={t('apiKeys.revokeTitle')}
          message={t('apiKeys.revokeText', { name: revoking.name, prefix: revoking.prefix })}
          confirmLabel={t('apiKeys.revoke')}
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            const updated = await api.apiKeys.revoke(revoking.id);
            keys.setData((previous) => previous?.map((k) => (k.id === updated.id ? updated : k)));
            notify(t('apiKeys.revoked', { name: updated.name }));
          }}
        />
      )}
    </>
  );
}

/** The key table; without `onRevoke` it is read-only (operator view). */
export function ApiKeyTable({
  keys,
  onRevoke,
}: {
  keys: ApiKey[];
  onRevoke?: (key: ApiKey) => void;
}) {
  const { t, formatDateTime, formatDate } = useI18n();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="api-keys-table">
        <caption className="visually-hidden">{t('apiKeys.listLabel')}</caption>
        <thead>
          <tr>
            <th scope="col">
              {t('apiKeys.name')} / {t('apiKeys.prefix')}
            </th>
            <th scope="col">{t('apiKeys.status')}</th>
            <th scope="col">{t('apiKeys.scopes')}</th>
            <th scope="col">{t('apiKeys.allowedIps')}</th>
            <th scope="col">{t('apiKeys.expiresAt')}</th>
            <th scope="col">{t('apiKeys.lastUsed')}</th>
            {onRevoke && (
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const status = apiKeyStatus(t, key);
            const state = apiKeyState(key);
            return (
              <tr
                key={key.id}
                data-testid="api-key-row"
                data-key-id={key.id}
                data-name={key.name}
                data-state={state}
              >
                <td>
                  <div className="cell-strong">{key.name}</div>
                  <code className="muted small" data-testid="api-key-prefix">
                    {key.prefix}…
                  </code>
                </td>
                <td className="cell-nowrap">
                  <Badge tone={status.tone} testId="api-key-status">
                    {status.label}
                  </Badge>
                  {key.revokedAt && (
                    <div className="muted small">{formatDateTime(key.revokedAt)}</div>
                  )}
                </td>
                <td>
                  <ul className="chips" aria-label={t('apiKeys.scopes')}>
                    {key.scopes.map((scope) => (
                      <li key={scope} className="chip" title={scopeDescription(t, scope)}>
                        {scope}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  {key.allowedIps && key.allowedIps.length > 0 ? (
                    <ul className="plain-list">
                      {key.allowedIps.map((ip) => (
                        <li key={ip}>
                          <code>{ip}</code>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <span className="muted">{t('apiKeys.anyIp')}</span>
                  )}
                </td>
                <td className="cell-nowrap">
                  {key.expiresAt ? (
                    formatDate(key.expiresAt)
                  ) : (
                    <span className="muted">{t('apiKeys.noExpiry')}</span>
                  )}
                </td>
                <td className="cell-nowrap">
                  {key.lastUsedAt ? (
                    <>
                      {formatDateTime(key.lastUsedAt)}
                      {key.lastUsedIp && (
                        <div className="muted small">
                          <code>{key.lastUsedIp}</code>
                        </div>
                      )}
                    </>
                  ) : (
                    <span className="muted">{t('common.never')}</span>
                  )}
                </td>
                {onRevoke && (
                  <td className="cell-actions">
                    {state !== 'revoked' && (
                      <button
                        type="button"
                        className="button button-danger-ghost button-sm"
                        onClick={() => onRevoke(key)}
                        aria-label={t('apiKeys.revokeNamed', { name: key.name })}
                        data-testid="api-key-revoke"
                      >
                        {t('apiKeys.revoke')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CreateKeyForm({
  onCancel,
  onCreated,
}: {
  onCancel: () => void;
  onCreated: (result: CreatedApiKey) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [ipText, setIpText] = useState('');
  const [expires, setExpires] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    nameRef.current?.focus();
  }, []);

  const { ips, invalid } = parseIpList(ipText);
  const minDate = parisDate(1);
  const errors = {
    name: !name.trim() ? t('apiKeys.nameRequired') : undefined,
    scopes: scopes.length === 0 ? t('apiKeys.scopesRequired') : undefined,
    ips: invalid.length > 0 ? t('apiKeys.ipsInvalid', { list: invalid.join(', ') }) : undefined,
    expires: expires && expires < minDate ? t('apiKeys.expiryPast') : undefined,
  };

  const toggle = (scope: string, on: boolean) =>
    setScopes((list) => (on ? [...list, scope] : list.filter((s) => s !== scope)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.values(errors).some(Boolean)) return;
    setBusy(true);
    setError(null);
    try {
      onCreated(
        await api.apiKeys.create({
          name: name.trim(),
          scopes: API_SCOPES.filter((s) => scopes.includes(s)),
          ...(ips.length > 0 ? { allowedIps: ips } : {}),
          ...(expires ? { expiresAt: parisEndOfDay(expires) } : {}),
        }),
      );
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const show = (message: string | undefined) => (submitted ? message : undefined);

  return (
    <section className="card" aria-labelledby="api-key-form-title">
      <h2 className="card-title" id="api-key-form-title">
        {t('apiKeys.createTitle')}
      </h2>
      <form className="form form-wide" onSubmit={submit} noValidate data-testid="api-key-form">
        <ErrorBanner error={error} />
        <Field
          label={t('apiKeys.name')}
          hint={t('apiKeys.nameHint')}
          error={show(errors.name) ?? fieldError(error, '/name')}
        >
          <input
            ref={nameRef}
            type="text"
            required
            maxLength={100}
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="api-key-name"
          />
        </Field>
        <CheckboxGroup
          legend={t('apiKeys.scopes')}
          hint={t('apiKeys.scopesHint')}
          options={API_SCOPES.map((scope) => ({
            value: scope,
            id: `scope-${scope.replace(/[^a-z]/g, '-')}`,
            testId: `api-key-scope-${scope}`,
            description: scopeDescription(t, scope),
          }))}
          chosen={scopes}
          onToggle={toggle}
          testId="api-key-scopes"
          error={show(errors.scopes)}
          errorId="api-key-scopes-error"
        />
        <div className="form-grid">
          <Field
            label={t('apiKeys.allowedIps')}
            optional
            optionalLabel={t('common.optional')}
            hint={t('apiKeys.ipsHint')}
            error={show(errors.ips) ?? fieldError(error, '/allowedIps')}
          >
            <textarea
              rows={3}
              spellCheck={false}
              placeholder={'203.0.113.10\n198.51.100.0/24'}
              value={ipText}
              onChange={(e) => setIpText(e.target.value)}
              data-testid="api-key-ips"
            />
          </Field>
          <Field
            label={t('apiKeys.expiresAt')}
            optional
            optionalLabel={t('common.optional')}
            hint={t('apiKeys.expiryHint')}
            error={show(errors.expires) ?? fieldError(error, '/expiresAt')}
          >
            <input
              type="date"
              min={minDate}
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
              data-testid="api-key-expires"
            />
          </Field>
        </div>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={busy}
            onCancel={onCancel}
            cancelTestId="api-key-cancel"
            submitLabel={t('apiKeys.createSubmit')}
            submitTestId="api-key-submit"
          />
        </div>
      </form>
    </section>
  );
}
