import { type ReactNode, useState } from 'react';
import { api } from '../../../api';
import { ErrorBanner } from '../../../components/Feedback';
import { Field } from '../../../components/Field';
import { useAsync } from '../../../hooks';
import { useI18n } from '../../../i18n';
import type { OperatorTenant } from '../../../types';

/** Every tenant, for the selects of the billing workspace (one request per tab). */
export function useTenants() {
  return useAsync(() => api.operator.tenants({}).then((r) => r.data), []);
}

/** A tenant `<select>` bound to a Field (label, hint, error). */
export function TenantSelect({
  tenants,
  value,
  onChange,
  label,
  allLabel,
  required = false,
  error,
  testId,
  id,
}: {
  tenants: OperatorTenant[] | undefined;
  value: string;
  onChange: (tenantId: string) => void;
  label: ReactNode;
  /** An empty first option ("all clients", "choose…"). */
  allLabel: string;
  required?: boolean;
  error?: string;
  testId: string;
  id?: string;
}) {
  return (
    <Field label={label} error={error}>
      <select
        id={id}
        value={value}
        required={required}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      >
        <option value="">{allLabel}</option>
        {(tenants ?? []).map((tenant) => (
          <option key={tenant.id} value={tenant.id}>
            {tenant.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Runs a form's submit: busy flag, error kept for the banner and the fields. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** A card's header: title, optional text, actions on the right. */
export function CardHeader({
  id,
  title,
  actions,
}: {
  id: string;
  title: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="card-header">
      <h2 className="card-title" id={id}>
        {title}
      </h2>
      {actions && <div className="button-row">{actions}</div>}
    </div>
  );
}

/** A load error in a card, with "retry". */
export function CardError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div className="card-pad">
      <ErrorBanner error={error} onRetry={onRetry} />
    </div>
  );
}

/** The common label of the tenant filter. */
export function useTenantLabels() {
  const { t } = useI18n();
  return { label: t('billing.client'), all: t('billing.allClients'), choose: t('billing.chooseClient') };
}
