import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';

/** Clipboard API where available (secure contexts), else the old textarea + execCommand. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  const host = document.activeElement?.closest('dialog') ?? document.body;
  host.appendChild(area);
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  previous?.focus();
  return ok;
}

export function CopyButton({
  text,
  label,
  ariaLabel,
  testId,
  className = 'button button-secondary button-sm',
}: {
  text: string;
  label?: string;
  ariaLabel?: string;
  testId?: string;
  className?: string;
}) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);

  return (
    <>
      <button
        type="button"
        className={className}
        onClick={async () => setState((await copyText(text)) ? 'copied' : 'failed')}
        aria-label={ariaLabel}
        data-testid={testId}
      >
        {state === 'copied' ? t('common.copied') : (label ?? t('common.copy'))}
      </button>
      <span className="visually-hidden" role="status">
        {state === 'copied'
          ? t('common.copiedToClipboard')
          : state === 'failed'
            ? t('common.copyFailed')
            : ''}
      </span>
    </>
  );
}
