import { type DependencyList, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { intlLocaleOf, TIME_ZONE, useI18n } from '../../i18n';
import { channelLabel, messageStatusLabel } from '../../labels';
import type { Price } from '../../types';

/** Formatters of the messaging pages: seconds matter in a message log, prices have 3 decimals. */
export function useMessagingFormat() {
  const { locale } = useI18n();
  return useMemo(() => {
    const tag = intlLocaleOf(locale);
    const stamp = new Intl.DateTimeFormat(tag, {
      dateStyle: 'short',
      timeStyle: 'medium',
      timeZone: TIME_ZONE,
    });
    const money = new Intl.NumberFormat(tag, {
      style: 'currency',
      currency: 'EUR',
      minimumFractionDigits: 2,
      maximumFractionDigits: 4,
    });
    const relativeFormat = new Intl.RelativeTimeFormat(tag, { numeric: 'auto', style: 'long' });
    return {
      /** "il y a 5 minutes": how long ago (or until) an instant, from `now`. */
      relative: (iso: string | null | undefined, now = Date.now()): string => {
        if (!iso) return '';
        const at = new Date(iso).getTime();
        if (Number.isNaN(at)) return iso;
        const seconds = Math.round((at - now) / 1000);
        const abs = Math.abs(seconds);
        if (abs < 60) return relativeFormat.format(seconds, 'second');
        if (abs < 3600) return relativeFormat.format(Math.round(seconds / 60), 'minute');
        if (abs < 86_400) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
        return relativeFormat.format(Math.round(seconds / 86_400), 'day');
      },
      /** Date and time to the second, in Paris. */
      timestamp: (iso: string | null | undefined): string => {
        if (!iso) return '';
        const d = new Date(iso);
        return Number.isNaN(d.getTime()) ? iso : stamp.format(d);
      },
      /** The API's euro cents (4.5) as money (0,045 €). */
      price: (price: Price | null | undefined): string =>
        price ? money.format(price.amount / 100) : '',
    };
  }, [locale]);
}

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const { t } = useI18n();
  return (
    <span
      className={`badge status-badge status-${status}`}
      data-testid={testId}
      data-status={status}
    >
      {messageStatusLabel(t, status)}
    </span>
  );
}

export function ChannelBadge({ channel }: { channel: string }) {
  const { t } = useI18n();
  return (
    <span className={`channel-badge channel-${channel}`} data-channel={channel}>
      {channelLabel(t, channel)}
    </span>
  );
}

/**
 * The same HTML without its <script> elements: the sandbox would block them anyway (mail clients
 * never run them either); removing them keeps the browser console free of the refusals.
 * DOMParser documents have no browsing context, so parsing runs and loads nothing.
 */
function withoutScripts(html: string): string {
  try {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    for (const script of Array.from(doc.querySelectorAll('script'))) script.remove();
    return `<!doctype html>${doc.documentElement.outerHTML}`;
  } catch {
    return html;
  }
}

/** Pretty JSON on the dark code block. */
export function JsonBlock({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <pre className="code-block" data-testid={testId}>
      {JSON.stringify(value ?? {}, null, 2)}
    </pre>
  );
}

/**
 * An email's HTML, shown inert: `sandbox=""` gives the frame a unique origin with no scripts,
 * forms, popups or top navigation, so a hostile message cannot reach the console.
 */
export function HtmlPreview({ html, title }: { html: string; title: string }) {
  const inert = useMemo(() => withoutScripts(html), [html]);
  return (
    <iframe
      className="html-preview"
      sandbox=""
      srcDoc={inert}
      title={title}
      referrerPolicy="no-referrer"
      data-testid="html-preview"
    />
  );
}

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/**
 * A phone number as the message log stores it (E.164), from the notations people type:
 * "06 12 34 56 78" → "+33612345678", "0033 6…" → "+336…". Emails and anything else unchanged.
 */
export function normaliseRecipient(input: string): string {
  const raw = input.trim();
  if (!raw || raw.includes('@')) return raw.toLowerCase();
  const compact = raw.replace(/[\s.\-()]/g, '');
  if (/^0[1-9]\d{8}$/.test(compact)) return `+33${compact.slice(1)}`;
  if (/^00\d{6,15}$/.test(compact)) return `+${compact.slice(2)}`;
  if (/^33\d{9}$/.test(compact)) return `+${compact}`;
  return compact;
}

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  /** Only the first load of the current `deps`; later polls update `data` in place. */
  loading: boolean;
  /** Poll now (e.g. right after an action), without clearing what is shown. */
  refresh: () => void;
}

/**
 * Loads once per change of `deps`, then again `ms` after each answer while the page is visible.
 * Requests never overlap; a refresh asked during one runs right after it.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  ms: number,
  enabled = true,
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(enabled);
  const loadRef = useRef(load);
  loadRef.current = load;
  const runRef = useRef<() => void>(() => {});

  useEffect(() => {
    setData(undefined);
    setError(null);
    if (!enabled) {
      setLoading(false);
      return;
    }
    setLoading(true);
    let live = true;
    let timer: number | undefined;
    let inFlight = false;
    let again = false;
    const schedule = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        if (document.visibilityState === 'visible') void run();
        else schedule();
      }, ms);
    };
    const run = async () => {
      if (inFlight) {
        again = true;
        return;
      }
      window.clearTimeout(timer);
      inFlight = true;
      try {
        const value = await loadRef.current();
        if (live) {
          setData(value);
          setError(null);
        }
      } catch (e) {
        if (live) setError(e);
      } finally {
        inFlight = false;
        if (live) {
          setLoading(false);
          if (again) {
            again = false;
            void run();
          } else schedule();
        }
      }
    };
    runRef.current = () => void run();
    void run();
    return () => {
      live = false;
      window.clearTimeout(timer);
      runRef.current = () => {};
    };
  }, [...deps, enabled, ms]);

  const refresh = useCallback(() => runRef.current(), []);
  return { data, error, loading, refresh };
}
