import type { ReactNode } from 'react';

export interface CheckboxOption {
  value: string;
  /** The input's id (labels and descriptions hang off it). */
  id: string;
  testId: string;
  description?: string;
}

/** A fieldset of checkbox cards (code-styled values with optional descriptions). */
export function CheckboxGroup({
  legend,
  hint,
  options,
  chosen,
  onToggle,
  testId,
  error,
  errorId,
  serverError,
}: {
  legend: ReactNode;
  hint: ReactNode;
  options: CheckboxOption[];
  chosen: readonly string[];
  onToggle: (value: string, on: boolean) => void;
  testId: string;
  /** Client-side validation message (shown with the invalid styling). */
  error?: string;
  errorId: string;
  /** Server-side message for the field, under the client one. */
  serverError?: string;
}) {
  return (
    <fieldset
      className={`fieldset${error ? ' field-invalid' : ''}`}
      aria-describedby={error ? errorId : undefined}
      data-testid={testId}
    >
      <legend className="field-label">{legend}</legend>
      <p className="field-hint">{hint}</p>
      <div className="checkbox-list">
        {options.map(({ value, id, testId: optionTestId, description }) => (
          <div
            key={value}
            className={`checkbox-card${chosen.includes(value) ? ' is-checked' : ''}`}
          >
            <input
              id={id}
              type="checkbox"
              checked={chosen.includes(value)}
              onChange={(e) => onToggle(value, e.target.checked)}
              aria-describedby={description ? `${id}-desc` : undefined}
              data-testid={optionTestId}
            />
            <label htmlFor={id}>
              <code>{value}</code>
            </label>
            {description && (
              <span id={`${id}-desc`} className="checkbox-desc">
                {description}
              </span>
            )}
          </div>
        ))}
      </div>
      {error && (
        <div id={errorId} className="field-error">
          {error}
        </div>
      )}
      {serverError && <div className="field-error">{serverError}</div>}
    </fieldset>
  );
}
