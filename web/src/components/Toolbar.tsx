import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

/** A labelled `<select>` filter in a `.toolbar`, with an "all" option first. */
export function ToolbarSelect<V extends string>({
  id,
  label,
  value,
  onChange,
  allLabel,
  options,
  testId,
  grow = false,
}: {
  id: string;
  label: ReactNode;
  value: V | '';
  onChange: (value: V | '') => void;
  allLabel: ReactNode;
  options: { value: V; label: ReactNode; key?: string }[];
  testId: string;
  grow?: boolean;
}) {
  return (
    <div className={grow ? 'toolbar-field toolbar-grow' : 'toolbar-field'}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value as V | '')}
        data-testid={testId}
      >
        <option value="">{allLabel}</option>
        {options.map((o) => (
          <option key={o.key ?? o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The toolbar's "refresh" button. */
export function RefreshButton({ onClick, testId }: { onClick: () => void; testId: string }) {
  const { t } = useI18n();
  return (
    <button type="button" className="button button-secondary" onClick={onClick} data-testid={testId}>
      {t('messages.refresh')}
    </button>
  );
}
