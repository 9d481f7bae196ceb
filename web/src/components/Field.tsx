import { type ReactElement, type ReactNode, cloneElement, useId } from 'react';

interface ControlProps {
  id?: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

/**
 * A label bound to its control, with an optional hint and error, both announced through
 * aria-describedby. The control is the only child: `<Field label="…"><input /></Field>`.
 */
export function Field({
  label,
  hint,
  error,
  children,
  optional,
  optionalLabel,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  children: ReactElement<ControlProps>;
  optional?: boolean;
  optionalLabel?: string;
}) {
  const generated = useId();
  const id = children.props.id ?? generated;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
        {optional && optionalLabel && <span className="field-optional"> ({optionalLabel})</span>}
      </label>
      {cloneElement(children, {
        id,
        'aria-describedby': describedBy || undefined,
        'aria-invalid': error ? true : undefined,
      })}
      {hint && (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      )}
      {error && (
        <div id={errorId} className="field-error">
          {error}
        </div>
      )}
    </div>
  );
}
