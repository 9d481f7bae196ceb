import { useI18n } from '../i18n';

/** The header cell over a row-actions column (its name read to screen readers only). */
export function ActionsHeader() {
  const { t } = useI18n();
  return (
    <th scope="col">
      <span className="visually-hidden">{t('common.actions')}</span>
    </th>
  );
}

/** A row's actions cell holding one small danger button (remove). */
export function RemoveCell({
  onClick,
  ariaLabel,
  label,
  testId,
}: {
  onClick: () => void;
  ariaLabel: string;
  label: string;
  testId: string;
}) {
  return (
    <td className="cell-actions">
      <button
        type="button"
        className="button button-danger-ghost button-sm"
        onClick={onClick}
        aria-label={ariaLabel}
        data-testid={testId}
      >
        {label}
      </button>
    </td>
  );
}
