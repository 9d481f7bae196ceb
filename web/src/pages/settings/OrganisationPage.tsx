import { type FormEvent, useState } from 'react';
import { api } from '../../api';
import { Field } from '../../components/Field';
import { Badge, ErrorBanner, Loading, SuccessBanner } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { fieldError } from '../../errors';
import { useAsync } from '../../hooks';
import { useI18n } from '../../i18n';
import { tenantStatus } from '../../labels';
import { usePermissions } from '../../permissions';
import type { Locale, Tenant, TenantSettings } from '../../types';

/** Metropolitan France and the overseas zones first: they are the clients' recipients. */
const FRENCH_ZONES = [
  'Europe/Paris',
  'America/Guadeloupe',
  'America/Martinique',
  'America/Cayenne',
  'Indian/Reunion',
  'Indian/Mayotte',
  'America/Miquelon',
  'Pacific/Noumea',
  'Pacific/Tahiti',
  'Pacific/Wallis',
];

function otherZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const all = intl.supportedValuesOf?.('timeZone') ?? [
    'UTC',
    'Europe/Brussels',
    'Europe/Luxembourg',
    'Europe/Zurich',
    'Europe/London',
  ];
  return all.filter((z) => !FRENCH_ZONES.includes(z));
}

export function OrganisationPage() {
  const { t, formatDate } = useI18n();
  const tenant = useAsync(() => api.tenant.get(), []);

  return (
    <>
      <PageHeader
        eyebrow={t('nav.settings')}
        title={t('org.title')}
        description={t('org.description')}
      />
      {tenant.loading ? (
        <section className="card">
          <Loading />
        </section>
      ) : tenant.error || !tenant.data ? (
        <ErrorBanner error={tenant.error} onRetry={tenant.reload} />
      ) : (
        <>
          <section className="card" aria-labelledby="org-identity">
            <h2 className="card-title" id="org-identity">
              {t('org.identity')}
            </h2>
            <dl className="summary-grid">
              <div>
                <dt>{t('org.name')}</dt>
                <dd data-testid="org-name">{tenant.data.name}</dd>
              </div>
              <div>
                <dt>{t('org.status')}</dt>
                <dd>
                  <Badge tone={tenantStatus(t, tenant.data.status).tone}>
                    {tenantStatus(t, tenant.data.status).label}
                  </Badge>
                </dd>
              </div>
              <div>
                <dt>{t('org.createdAt')}</dt>
                <dd>{formatDate(tenant.data.createdAt)}</dd>
              </div>
              <div>
                <dt>{t('org.id')}</dt>
                <dd>
                  <code>{tenant.data.id}</code>
                </dd>
              </div>
            </dl>
          </section>
          <SettingsForm
            key={tenant.data.id}
            tenant={tenant.data}
            onSaved={(next) => tenant.setData(next)}
          />
        </>
      )}
    </>
  );
}

function SettingsForm({ tenant, onSaved }: { tenant: Tenant; onSaved: (tenant: Tenant) => void }) {
  const { t } = useI18n();
  const manage = usePermissions().can('settings:manage');
  const initial = tenant.settings;
  const [locale, setLocale] = useState<Locale>(initial.locale);
  const [timezone, setTimezone] = useState(initial.timezone);
  const [sender, setSender] = useState(initial.defaultSender ?? '');
  const [stop, setStop] = useState(initial.stopMention ?? '');
  const [mfaAll, setMfaAll] = useState(initial.mfaRequiredForAll);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [zones] = useState(otherZones);

  const next: TenantSettings = {
    locale,
    timezone,
    defaultSender: sender.trim() || null,
    stopMention: stop.trim() || null,
    mfaRequiredForAll: mfaAll,
  };
  const changes: Partial<TenantSettings> = {};
  for (const key of Object.keys(next) as (keyof TenantSettings)[]) {
    if (next[key] !== initial[key]) Object.assign(changes, { [key]: next[key] });
  }
  const dirty = Object.keys(changes).length > 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!dirty) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onSaved(await api.tenant.updateSettings(changes));
      setSaved(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const edit =
    <T,>(setter: (v: T) => void) =>
    (value: T) => {
      setSaved(false);
      setter(value);
    };

  return (
    <section className="card" aria-labelledby="org-settings">
      <h2 className="card-title" id="org-settings">
        {t('org.settings')}
      </h2>
      <form className="form form-wide" onSubmit={submit} data-testid="org-form">
        <ErrorBanner error={error} />
        {saved && !dirty && <SuccessBanner>{t('org.saved')}</SuccessBanner>}
        {!manage && <p className="muted">{t('org.readOnly')}</p>}
        <fieldset className="form" disabled={!manage || busy}>
          <div className="form-grid">
            <Field
              label={t('org.locale')}
              hint={t('org.localeHint')}
              error={fieldError(error, '/locale')}
            >
              <select
                value={locale}
                onChange={(e) => edit(setLocale)(e.target.value as Locale)}
                data-testid="org-locale"
              >
                <option value="fr">Français</option>
                <option value="en">English</option>
              </select>
            </Field>
            <Field
              label={t('org.timezone')}
              hint={t('org.timezoneHint')}
              error={fieldError(error, '/timezone')}
            >
              <select
                value={timezone}
                onChange={(e) => edit(setTimezone)(e.target.value)}
                data-testid="org-timezone"
              >
                <optgroup label={t('org.zonesFrance')}>
                  {FRENCH_ZONES.map((z) => (
                    <option key={z} value={z}>
                      {z}
                    </option>
                  ))}
                </optgroup>
                <optgroup label={t('org.zonesOther')}>
                  {!FRENCH_ZONES.includes(timezone) && !zones.includes(timezone) && (
                    <option value={timezone}>{timezone}</option>
                  )}
                  {zones.map((z) => (
                    <option key={z} value={z}>
                      {z}
                    </option>
                  ))}
                </optgroup>
              </select>
            </Field>
            <Field
              label={t('org.defaultSender')}
              optional
              optionalLabel={t('common.optional')}
              hint={t('org.defaultSenderHint')}
              error={fieldError(error, '/defaultSender')}
            >
              <input
                type="text"
                maxLength={11}
                autoComplete="off"
                spellCheck={false}
                value={sender}
                onChange={(e) => edit(setSender)(e.target.value)}
                data-testid="org-default-sender"
              />
            </Field>
            <Field
              label={t('org.stopMention')}
              optional
              optionalLabel={t('common.optional')}
              hint={t('org.stopMentionHint')}
              error={fieldError(error, '/stopMention')}
            >
              <input
                type="text"
                maxLength={40}
                autoComplete="off"
                placeholder="STOP SMS 36111"
                value={stop}
                onChange={(e) => edit(setStop)(e.target.value)}
                data-testid="org-stop-mention"
              />
            </Field>
          </div>
          <div className="checkbox-row">
            <input
              id="org-mfa-all"
              type="checkbox"
              checked={mfaAll}
              onChange={(e) => edit(setMfaAll)(e.target.checked)}
              aria-describedby="org-mfa-all-hint"
              data-testid="org-mfa-all"
            />
            <div>
              <label htmlFor="org-mfa-all" className="field-label">
                {t('org.mfaAll')}
              </label>
              <div id="org-mfa-all-hint" className="field-hint">
                {t('org.mfaAllHint')}
              </div>
            </div>
          </div>
        </fieldset>
        {manage && (
          <div className="form-actions">
            <button
              type="submit"
              className="button button-primary"
              disabled={busy || !dirty}
              aria-busy={busy}
              data-testid="org-save"
            >
              {busy ? t('common.working') : t('common.save')}
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
