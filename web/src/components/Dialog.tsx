import { type ReactNode, useEffect, useId, useRef } from 'react';
import { useI18n } from '../i18n';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  /** Escape, the close button and (if allowed) the backdrop call it. */
  onClose: () => void;
  children: ReactNode;
  /** Buttons at the bottom, right aligned. */
  footer?: ReactNode;
  description?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  /** 'alertdialog' for confirmations and one-time secrets. */
  role?: 'dialog' | 'alertdialog';
  testId?: string;
  /** Hide the × button (e.g. while a request is running). */
  dismissible?: boolean;
}

/**
 * Modal dialog on the native <dialog> element: the page behind is inert, Tab and Shift+Tab
 * cycle inside, Escape closes, focus returns to the control that opened it.
 */
export function Dialog({
  title,
  onClose,
  children,
  footer,
  description,
  size = 'md',
  role = 'dialog',
  testId,
  dismissible = true,
}: DialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  const dismissibleRef = useRef(dismissible);
  dismissibleRef.current = dismissible;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // Focus the first field, else the first button that is not the × in the corner.
    const target =
      dialog.querySelector<HTMLElement>('[data-autofocus]') ??
      dialog.querySelector<HTMLElement>(
        '.dialog-body input, .dialog-body select, .dialog-body textarea',
      ) ??
      dialog.querySelector<HTMLElement>('.dialog-footer button:not([disabled])') ??
      dialog.querySelector<HTMLElement>(FOCUSABLE);
    target?.focus();

    const onCancel = (event: Event) => {
      event.preventDefault();
      if (dismissibleRef.current) onCloseRef.current();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Tab') return;
      const items = Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
        (el) => el.offsetParent !== null || el === document.activeElement,
      );
      const first = items[0];
      const last = items[items.length - 1];
      if (!first || !last) return;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    };
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('keydown', onKeyDown);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('keydown', onKeyDown);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      aria-modal="true"
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      data-testid={testId}
    >
      <div className="dialog-header">
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        {dismissible && (
          <button
            type="button"
            className="icon-button"
            onClick={onClose}
            aria-label={t('common.close')}
            data-testid={testId ? `${testId}-x` : undefined}
          >
            <span aria-hidden="true">×</span>
          </button>
        )}
      </div>
      <div className="dialog-body">
        {description && (
          <div id={descriptionId} className="dialog-description">
            {description}
          </div>
        )}
        {children}
      </div>
      {footer && <div className="dialog-footer">{footer}</div>}
    </dialog>
  );
}
