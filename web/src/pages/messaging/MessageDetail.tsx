import { api } from '../../api';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner, Loading } from '../../components/Feedback';
import { type Translate, useI18n } from '../../i18n';
import { attributionLabel, FAILED_STATUSES, messageStatusLabel, routeLabel } from '../../labels';
import type { Message, MessageHistoryStep } from '../../types';
import {
  ChannelBadge,
  HtmlPreview,
  JsonBlock,
  StatusBadge,
  useMessagingFormat,
  usePolling,
} from './shared';

/**
 * One message: content, counts, warnings, metadata and its status timeline, refreshed every few
 * seconds while the dialog is open so that receipts show up as they arrive.
 */
export function MessageDetailDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const message = usePolling(() => api.messages.get(id), [id], 3000);
  const m = message.data;
  return (
    <Dialog
      title={m ? t('detail.title', { to: m.to }) : t('detail.loading')}
      onClose={onClose}
      size="lg"
      testId="message-detail"
      footer={
        <button
          type="button"
          className="button button-secondary"
          onClick={onClose}
          data-testid="message-detail-close"
        >
          {t('common.close')}
        </button>
      }
    >
      {message.loading && !m ? (
        <Loading label={t('detail.loading')} />
      ) : message.error && !m ? (
        <ErrorBanner error={message.error} onRetry={message.refresh} />
      ) : m ? (
        <MessageBody message={m} />
      ) : null}
    </Dialog>
  );
}

function MessageBody({ message: m }: { message: Message }) {
  const { t, formatNumber } = useI18n();
  const fmt = useMessagingFormat();
  const content = m.content;
  const text = typeof content.text === 'string' ? content.text : null;
  const subject = typeof content.subject === 'string' ? content.subject : null;
  const html = typeof content.html === 'string' ? content.html : null;
  const { text: _t, subject: _s, html: _h, ...rest } = content;
  const failed = FAILED_STATUSES.includes(m.status);

  return (
    <div className="message-detail" data-id={m.id} data-status={m.status}>
      <div className="detail-heading">
        <StatusBadge status={m.status} testId="message-detail-status" />
        <ChannelBadge channel={m.channel} />
        <span className="muted">{routeLabel(t, m.route)}</span>
        {m.fellBack && <span className="muted small">{t('messages.fellBack')}</span>}
      </div>

      {m.error && (
        <div
          className={`banner ${failed ? 'banner-error' : 'banner-warning'}`}
          data-testid="message-detail-error"
        >
          <div className="banner-body">
            <p>
              <strong>{t('detail.error')} </strong>
              <code>{m.error.code}</code>
              {m.error.message && <> — {m.error.message}</>}
            </p>
            {m.error.attribution && (
              <p data-testid="message-detail-attribution" data-attribution={m.error.attribution}>
                {t('attribution.by', { who: attributionLabel(t, m.error.attribution) })}
              </p>
            )}
          </div>
        </div>
      )}

      <dl className="summary-grid summary-grid-compact">
        <div>
          <dt>{t('messages.recipient')}</dt>
          <dd>
            <code>{m.to}</code>
          </dd>
        </div>
        <div>
          <dt>{t('messages.sender')}</dt>
          <dd>{m.from ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('detail.country')}</dt>
          <dd>{m.country ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('detail.price')}</dt>
          <dd>{fmt.price(m.price)}</dd>
        </div>
        <div>
          <dt>{t('detail.encoding')}</dt>
          <dd data-testid="message-detail-encoding">{m.encoding ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('detail.characters')}</dt>
          <dd>{m.characters === null ? '—' : formatNumber(m.characters)}</dd>
        </div>
        <div>
          <dt>{t('detail.segments')}</dt>
          <dd data-testid="message-detail-segments">{m.segments ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('detail.attempts')}</dt>
          <dd>{m.attempts}</dd>
        </div>
        <div>
          <dt>{t('detail.createdAt')}</dt>
          <dd>{fmt.timestamp(m.createdAt)}</dd>
        </div>
        <div>
          <dt>{t('detail.sendAt')}</dt>
          <dd>{fmt.timestamp(m.sendAt)}</dd>
        </div>
        <div className="summary-wide">
          <dt>{t('detail.id')}</dt>
          <dd>
            <code className="small">{m.id}</code>
          </dd>
        </div>
      </dl>

      <section aria-labelledby="detail-content">
        <h3 className="details-title" id="detail-content">
          {t('detail.content')}
        </h3>
        {subject && (
          <p className="detail-subject">
            <span className="muted">{t('detail.subject')}</span> <strong>{subject}</strong>
          </p>
        )}
        {text ? (
          <div className="message-text" data-testid="message-detail-text">
            {text}
          </div>
        ) : (
          !html && <p className="muted">{t('detail.noContent')}</p>
        )}
        {html && (
          <details className="detail-html">
            <summary>{t('detail.html')}</summary>
            <HtmlPreview html={html} title={t('detail.html')} />
          </details>
        )}
        {Object.keys(rest).length > 0 && <JsonBlock value={rest} />}
      </section>

      {m.warnings.length > 0 && (
        <section aria-labelledby="detail-warnings">
          <h3 className="details-title" id="detail-warnings">
            {t('detail.warnings')}
          </h3>
          <ul className="warning-list" data-testid="message-detail-warnings">
            {m.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </section>
      )}

      {m.metadata && Object.keys(m.metadata).length > 0 && (
        <section aria-labelledby="detail-metadata">
          <h3 className="details-title" id="detail-metadata">
            {t('detail.metadata')}
          </h3>
          <JsonBlock value={m.metadata} testId="message-detail-metadata" />
        </section>
      )}

      <section aria-labelledby="detail-timeline">
        <h3 className="details-title" id="detail-timeline">
          {t('detail.timeline')}
        </h3>
        <Timeline message={m} />
      </section>
    </div>
  );
}

function Timeline({ message }: { message: Message }) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  const steps = message.history ?? [];
  if (steps.length === 0) {
    return (
      <p className="muted" data-testid="message-timeline">
        {t('detail.noHistory')}
      </p>
    );
  }
  // The final failure step gets the message's error when the event itself does not carry it
  // (delivery receipts only say UNDELIV; the message knows who failed).
  let lastFailure = -1;
  steps.forEach((s, i) => {
    if (FAILED_STATUSES.includes(s.status)) lastFailure = i;
  });
  return (
    <ol className="timeline" data-testid="message-timeline">
      {steps.map((step, index) => {
        const lines = describeStep(t, fmt.timestamp, step, index === lastFailure ? message : null);
        const failure = FAILED_STATUSES.includes(step.status) || Boolean(step.detail.errorCode);
        return (
          <li
            // Steps have no id; the order is the history's and never changes.
            // biome-ignore lint/suspicious/noArrayIndexKey: fixed order
            key={index}
            className={`timeline-step status-${step.status}${failure ? ' is-failure' : ''}`}
            data-testid="timeline-step"
            data-status={step.status}
          >
            <span className="timeline-dot" aria-hidden="true" />
            <div className="timeline-head">
              <strong>{messageStatusLabel(t, step.status)}</strong>
              <time className="muted small" dateTime={step.at}>
                {fmt.timestamp(step.at)}
              </time>
            </div>
            {lines.length > 0 && (
              <ul className="timeline-detail">
                {lines.map((line) => (
                  <li key={line.text} data-attribution={line.attribution}>
                    {line.text}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}

interface StepLine {
  text: string;
  attribution?: string;
}

const KNOWN_DETAIL = new Set([
  'connector',
  'providerId',
  'providerCode',
  'at',
  'retryAt',
  'errorCode',
  'errorMessage',
  'attribution',
]);

/** A history step's detail in words; unknown members are shown as they are. */
function describeStep(
  t: Translate,
  timestamp: (iso: string) => string,
  step: MessageHistoryStep,
  failedMessage: Message | null,
): StepLine[] {
  const d = step.detail ?? {};
  const str = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : null);
  const lines: StepLine[] = [];
  const connector = str('connector');
  if (connector) lines.push({ text: t('timeline.connector', { connector }) });
  const providerId = str('providerId');
  if (providerId) lines.push({ text: t('timeline.providerId', { id: providerId }) });
  const providerCode = str('providerCode');
  if (providerCode) lines.push({ text: t('timeline.providerCode', { code: providerCode }) });
  const at = str('at');
  if (at) lines.push({ text: t('timeline.receiptAt', { time: timestamp(at) }) });
  const errorCode = str('errorCode') ?? failedMessage?.error?.code ?? null;
  const errorMessage = str('errorMessage') ?? failedMessage?.error?.message ?? null;
  if (errorCode && errorCode !== providerCode) {
    lines.push({
      text: `${t('timeline.errorCode', { code: errorCode })}${errorMessage ? ` — ${errorMessage}` : ''}`,
    });
  } else if (errorMessage) {
    lines.push({ text: errorMessage });
  }
  const attribution = str('attribution') ?? failedMessage?.error?.attribution ?? null;
  if (attribution) {
    lines.push({
      text: t('attribution.by', { who: attributionLabel(t, attribution) }),
      attribution,
    });
  }
  const retryAt = str('retryAt');
  if (retryAt) lines.push({ text: t('timeline.retryAt', { time: timestamp(retryAt) }) });
  for (const [key, value] of Object.entries(d)) {
    if (KNOWN_DETAIL.has(key) || value === null || value === undefined) continue;
    lines.push({ text: `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}` });
  }
  return lines;
}
