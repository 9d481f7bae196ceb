import { type FormEvent, useState } from 'react';
import { api, isApiError } from '../../api';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { ErrorBanner, WarningBanner } from '../../components/Feedback';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { errorMessage, fieldError } from '../../errors';
import { countSms, withStopMention } from '../../gsm';
import { useAsync } from '../../hooks';
import { useI18n } from '../../i18n';
import { channelLabel, messageStatusLabel, routeLabel } from '../../labels';
import {
  type AcceptedMessage,
  type AlertRuleMatch,
  MESSAGE_CHANNELS,
  MESSAGE_ROUTES,
  type MessageChannel,
  type MessageRoute,
  type SendMessageInput,
} from '../../types';
import { useMessagingFormat } from './shared';

/** The platform's mention when the organisation has not set its own (docs/messaging.md). */
const DEFAULT_STOP_MENTION = 'STOP SMS au 36111';

const SEGMENTED: readonly MessageChannel[] = ['sms', 'rcs'];

/**
 * Sends one real message through POST /v1/messages, with a live GSM 03.38 counter, and shows the
 * 202 answer or the refusal (code, detail, and the rules that fired for R-ALERT).
 */
export function SendTestDialog({
  routes,
  onClose,
  onSent,
  onView,
}: {
  /** The routes this user may send on (messages:send:marketing / messages:send:alert). */
  routes: MessageRoute[];
  onClose: () => void;
  onSent: (accepted: AcceptedMessage) => void;
  onView: (id: string) => void;
}) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  const tenant = useAsync(() => api.tenant.get(), []);
  const [channel, setChannel] = useState<MessageChannel>('sms');
  const [route, setRoute] = useState<MessageRoute>(
    routes.includes('alert') ? 'alert' : 'marketing',
  );
  const [to, setTo] = useState('');
  const [from, setFrom] = useState('');
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [accepted, setAccepted] = useState<AcceptedMessage | null>(null);

  const isEmail = channel === 'email';
  const segmented = SEGMENTED.includes(channel);
  const count = countSms(text);
  const mention = tenant.data?.settings.stopMention?.trim() || DEFAULT_STOP_MENTION;
  const stopApplies = segmented && route === 'marketing';
  const finalText = stopApplies && text.trim() ? withStopMention(text, mention) : text;
  const finalCount = finalText === text ? null : countSms(finalText);

  const errors = {
    to: !to.trim() ? t('send.toRequired') : undefined,
    text: !text.trim() ? t('send.textRequired') : undefined,
    subject: isEmail && !subject.trim() ? t('send.subjectRequired') : undefined,
  };
  const show = (message: string | undefined) => (submitted ? message : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.values(errors).some(Boolean)) return;
    setBusy(true);
    setError(null);
    const input: SendMessageInput = {
      channel,
      route,
      to: to.trim(),
      text,
      ...(from.trim() ? { from: from.trim() } : {}),
      ...(isEmail ? { subject: subject.trim() } : {}),
    };
    try {
      const result = await api.messages.send(input);
      setAccepted(result);
      onSent(result);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  // Described by the text area (its hint), so it is read with the field, not at each keystroke.
  const counter = (
    <span
      className={`sms-counter${count.encoding === 'UCS-2' ? ' is-ucs2' : ''}`}
      data-testid="send-counter"
      data-encoding={count.encoding}
      data-segments={count.segments}
      data-characters={count.characters}
      data-units={count.units}
    >
      <strong>
        {t('send.counter', {
          encoding: count.encoding,
          characters: count.characters,
          segments: count.segments,
        })}
      </strong>
      <span>
        {t('send.counterUnits', {
          units: count.perSegment - count.remaining,
          per: count.perSegment,
          remaining: count.remaining,
        })}
      </span>
      <span>
        {count.encoding === 'UCS-2'
          ? t('send.counterUcs2', { chars: count.nonGsm.map(showChar).join(' ') })
          : t('send.counterGsm')}
      </span>
      {finalCount && (
        <span data-testid="send-counter-stop" data-segments={finalCount.segments}>
          {t('send.counterWithStop', {
            characters: finalCount.characters,
            segments: finalCount.segments,
          })}
        </span>
      )}
    </span>
  );

  const again = () => {
    setAccepted(null);
    setError(null);
    setSubmitted(false);
  };

  if (accepted) {
    return (
      <Dialog
        key="result"
        title={t('send.title')}
        onClose={onClose}
        testId="send-dialog"
        footer={
          <>
            <button
              type="button"
              className="button button-secondary"
              onClick={again}
              data-testid="send-again"
            >
              {t('send.another')}
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => onView(accepted.id)}
              data-autofocus
              data-testid="send-view"
            >
              {t('send.viewMessage')}
            </button>
          </>
        }
      >
        <AcceptedResult
          accepted={accepted}
          price={fmt.price(accepted.price)}
          sendAt={fmt.timestamp(accepted.sendAt)}
        />
      </Dialog>
    );
  }

  return (
    <Dialog
      key="form"
      title={t('send.title')}
      onClose={onClose}
      testId="send-dialog"
      dismissible={!busy}
      description={t('send.intro')}
      footer={
        <CancelSubmitButtons
          busy={busy}
          onCancel={onClose}
          cancelTestId="send-cancel"
          form="send-test-form"
          submitLabel={t('send.submit')}
          submitTestId="send-submit"
        />
      }
    >
      <form id="send-test-form" className="form" onSubmit={submit} noValidate>
        {Boolean(error) && <SendProblem error={error} />}
        <div className="form-grid">
          <Field label={t('send.channel')}>
            <select
              value={channel}
              onChange={(e) => setChannel(e.target.value as MessageChannel)}
              data-testid="send-channel"
            >
              {MESSAGE_CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {channelLabel(t, c)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('send.route')} error={fieldError(error, '/route')}>
            <select
              value={route}
              onChange={(e) => setRoute(e.target.value as MessageRoute)}
              data-testid="send-route"
            >
              {MESSAGE_ROUTES.filter((r) => routes.includes(r)).map((r) => (
                <option key={r} value={r}>
                  {routeLabel(t, r)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <p className="field-hint">{t('send.routeHint')}</p>
        <div className="form-grid">
          <Field
            label={t('send.to')}
            hint={isEmail ? t('send.toEmailHint') : t('send.toPhoneHint')}
            error={show(errors.to) ?? fieldError(error, '/to')}
          >
            <input
              type={isEmail ? 'email' : 'text'}
              inputMode={isEmail ? 'email' : 'tel'}
              autoComplete="off"
              spellCheck={false}
              maxLength={254}
              value={to}
              onChange={(e) => setTo(e.target.value)}
              data-testid="send-to"
            />
          </Field>
          <Field
            label={t('send.from')}
            optional
            optionalLabel={t('common.optional')}
            hint={isEmail ? undefined : t('send.fromHint')}
            error={fieldError(error, '/from')}
          >
            <input
              type="text"
              autoComplete="off"
              spellCheck={false}
              maxLength={254}
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              data-testid="send-from"
            />
          </Field>
        </div>
        {isEmail && (
          <Field
            label={t('send.subject')}
            error={show(errors.subject) ?? fieldError(error, '/subject')}
          >
            <input
              type="text"
              maxLength={998}
              value={subject}
              onChange={(e) => setSubject(e.target.value)}
              data-testid="send-subject"
            />
          </Field>
        )}
        <Field
          label={t('send.text')}
          hint={segmented ? counter : undefined}
          error={show(errors.text) ?? fieldError(error, '/text')}
        >
          <textarea
            rows={5}
            maxLength={10_000}
            value={text}
            onChange={(e) => setText(e.target.value)}
            data-testid="send-text"
          />
        </Field>
        {stopApplies && (
          <p className="note" data-testid="send-stop-note">
            {t('send.stopNote', { mention })}
          </p>
        )}
        {channel === 'whatsapp' && <p className="note">{t('send.whatsappNote')}</p>}
      </form>
    </Dialog>
  );
}

/** Characters that would vanish on screen (a no-break space, a tab) are named by code point. */
function showChar(c: string): string {
  return /^\s$|^[\u0000-\u001f\u007f-\u00a0\u2000-\u200f\u2028-\u202f]$/.test(c)
    ? `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
    : c;
}

function AcceptedResult({
  accepted,
  price,
  sendAt,
}: {
  accepted: AcceptedMessage;
  price: string;
  sendAt: string;
}) {
  const { t } = useI18n();
  return (
    <div
      className="send-result"
      role="status"
      data-testid="send-result"
      data-status={accepted.status}
      data-id={accepted.id}
    >
      <div className="banner banner-success">
        <div className="banner-body">
          <p>
            <strong>{t('send.accepted')}</strong>
          </p>
          <p>
            {t('send.acceptedText', {
              status: messageStatusLabel(t, accepted.status),
              sendAt,
              price,
            })}
          </p>
          <p className="small">
            <code>{accepted.id}</code>
            {accepted.encoding &&
              ` · ${t('send.acceptedCounts', { encoding: accepted.encoding, segments: accepted.segments ?? 0 })}`}
          </p>
        </div>
      </div>
      {accepted.warnings.length > 0 && (
        <WarningBanner testId="send-warnings">
          <p>
            <strong>{t('send.warnings')}</strong>
          </p>
          <ul className="banner-list">
            {accepted.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </WarningBanner>
      )}
      {accepted.text && <div className="message-text">{accepted.text}</div>}
    </div>
  );
}

/** The refusal: the code, the server's detail, and for R-ALERT each rule with its words. */
function SendProblem({ error }: { error: unknown }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (!isApiError(error) || error.status < 400 || error.status >= 500 || error.status === 401) {
    return <ErrorBanner error={error} testId="send-problem" />;
  }
  const rules = Array.isArray(error.body.rules)
    ? (error.body.rules as AlertRuleMatch[]).filter((r) => r && typeof r.rule === 'string')
    : [];
  const translated = errorMessage(error, i18n);
  return (
    <div
      className="banner banner-error"
      role="alert"
      data-testid="send-problem"
      data-code={error.code}
    >
      <div className="banner-body">
        <p>
          <strong>{t('send.refused')}</strong> · <code>{error.code}</code>
        </p>
        {translated !== error.detail && <p>{translated}</p>}
        {error.detail && <p>{error.detail}</p>}
        {rules.length > 0 && (
          <>
            <p className="banner-subtitle">{t('send.rulesTitle')}</p>
            <ul className="banner-list" data-testid="send-problem-rules">
              {rules.map((r) => (
                <li key={r.rule} data-rule={r.rule}>
                  {t('send.rule', {
                    rule: r.rule,
                    matched: (Array.isArray(r.matched) ? r.matched : []).join(', '),
                  })}
                </li>
              ))}
            </ul>
          </>
        )}
        {rules.length === 0 && error.errors.length > 0 && (
          <ul className="banner-list">
            {error.errors.map((e) => (
              <li key={`${e.path}:${e.message}`}>
                {e.path && <code>{e.path}</code>} {e.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
