import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, isApiError } from '../../api';
import { Field } from '../../components/Field';
import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { useToast } from '../../components/Toast';
import { fieldError } from '../../errors';
import { useI18n } from '../../i18n';
import { channelLabel, sandboxOutcome } from '../../labels';
import {
  SANDBOX_REPLY_CHANNELS,
  type SandboxConversation,
  type SandboxItem,
  type SandboxMail,
  type SandboxReplyChannel,
} from '../../types';
import { ChannelBadge, HtmlPreview, useMessagingFormat, usePolling } from './shared';

const POLL_MS = 2000;

/**
 * The sandbox's simulated handsets and mailboxes: what each received, and a way to answer as
 * the recipient would (STOP included). Everything refreshes every 2 seconds while open.
 */
export function SandboxTab() {
  const { t, formatNumber } = useI18n();
  const phones = usePolling(() => api.sandbox.phones().then((r) => r.data), [], POLL_MS);
  const [number, setNumber] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [draftError, setDraftError] = useState<string | undefined>();

  const open = (event: FormEvent) => {
    event.preventDefault();
    const value = draft.trim();
    if (!value) {
      setDraftError(t('sandbox.numberRequired'));
      return;
    }
    setDraftError(undefined);
    setNumber(value);
  };

  return (
    <>
      <p className="tab-intro">{t('sandbox.intro')}</p>
      <div className="sandbox-layout">
        <div className="sandbox-side">
          <section className="card" aria-labelledby="sandbox-open-title">
            <h2 className="card-title" id="sandbox-open-title">
              {t('sandbox.openNumber')}
            </h2>
            <form className="form-row" onSubmit={open} noValidate data-testid="sandbox-open-form">
              <Field label={t('sandbox.number')} hint={t('sandbox.numberHint')} error={draftError}>
                <input
                  type="text"
                  inputMode="tel"
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={30}
                  value={draft}
                  onChange={(e) => setDraft(e.target.value)}
                  data-testid="sandbox-number"
                />
              </Field>
              <button
                type="submit"
                className="button button-primary form-row-button"
                data-testid="sandbox-open"
              >
                {t('sandbox.open')}
              </button>
            </form>
          </section>

          <section className="card card-flush" aria-labelledby="sandbox-phones-title">
            <h2 className="card-title card-pad" id="sandbox-phones-title">
              {t('sandbox.phones')}
            </h2>
            {phones.loading ? (
              <Loading />
            ) : phones.error && !phones.data ? (
              <div className="card-pad">
                <ErrorBanner error={phones.error} onRetry={phones.refresh} />
              </div>
            ) : (phones.data ?? []).length === 0 ? (
              <p className="card-pad muted" data-testid="sandbox-phones-empty">
                {t('sandbox.phonesEmpty')}
              </p>
            ) : (
              <ul className="phone-list" data-testid="sandbox-phones">
                {(phones.data ?? []).map((p) => (
                  <li key={p.number}>
                    <button
                      type="button"
                      className={`phone-list-item${p.number === number ? ' is-active' : ''}`}
                      aria-current={p.number === number ? 'true' : undefined}
                      aria-label={t('sandbox.openPhone', { number: p.number })}
                      onClick={() => {
                        setNumber(p.number);
                        setDraft(p.number);
                        setDraftError(undefined);
                      }}
                      data-testid="sandbox-phone"
                      data-number={p.number}
                      data-count={p.messages}
                    >
                      <code>{p.number}</code>
                      <span className="count">
                        {t('sandbox.messagesCount', { count: formatNumber(p.messages) })}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <MagicNumbers />
        </div>

        <div className="sandbox-main">
          {number ? (
            <Phone key={number} number={number} onRefreshList={phones.refresh} />
          ) : (
            <div className="phone phone-idle" data-testid="sandbox-phone-idle">
              <div className="phone-screen phone-screen-empty">
                <p className="muted">{t('sandbox.noPhone')}</p>
              </div>
            </div>
          )}
        </div>
      </div>
      <Mailbox />
    </>
  );
}

function Phone({ number, onRefreshList }: { number: string; onRefreshList: () => void }) {
  const { t } = useI18n();
  const notify = useToast();
  const conversation = usePolling<SandboxConversation>(
    () => api.sandbox.phone(number),
    [number],
    POLL_MS,
  );
  const [channel, setChannel] = useState<SandboxReplyChannel>('sms');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const screenRef = useRef<HTMLOListElement>(null);
  const items = conversation.data?.data ?? [];
  const shown = conversation.data?.number ?? number;

  // Follow the conversation: scroll to the newest bubble when one arrives.
  useEffect(() => {
    const screen = screenRef.current;
    if (screen && items.length > 0) screen.scrollTop = screen.scrollHeight;
  }, [items.length]);

  const reply = async (value: string) => {
    const body = value.trim();
    if (!body) return;
    setBusy(true);
    setError(null);
    try {
      await api.sandbox.reply(shown, { channel, text: body });
      notify(t('sandbox.replied', { text: body, number: shown }));
      if (value === text) setText('');
      conversation.refresh();
      onRefreshList();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void reply(text);
  };

  const invalid = isApiError(conversation.error) && conversation.error.status === 422;

  return (
    <section
      className="phone"
      aria-label={t('sandbox.phoneLabel', { number: shown })}
      data-testid="sandbox-phone-view"
      data-number={shown}
    >
      <div className="phone-top">
        <span className="phone-notch" aria-hidden="true" />
        <div className="phone-title">
          <strong>{shown}</strong>
          <span className="small">{t('sandbox.autoRefresh')}</span>
        </div>
      </div>
      {conversation.loading ? (
        <div className="phone-screen phone-screen-empty">
          <Loading />
        </div>
      ) : conversation.error && (!conversation.data || invalid) ? (
        <div className="phone-screen phone-screen-empty">
          <ErrorBanner
            error={conversation.error}
            onRetry={invalid ? undefined : conversation.refresh}
            testId="sandbox-phone-error"
          />
        </div>
      ) : items.length === 0 ? (
        <div className="phone-screen phone-screen-empty" data-testid="sandbox-conversation-empty">
          <p className="muted">{t('sandbox.noMessages')}</p>
        </div>
      ) : (
        <ol className="phone-screen" ref={screenRef} data-testid="sandbox-conversation">
          {items.map((item, index) => (
            // Items have no id; the simulator's order is stable (by time, then arrival).
            // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
            <Bubble key={`${item.at}-${index}`} item={item} />
          ))}
        </ol>
      )}
      <form className="phone-reply" onSubmit={submit} aria-label={t('sandbox.replyLabel')}>
        {Boolean(error) && <ErrorBanner error={error} testId="sandbox-reply-error" />}
        <div className="phone-reply-row">
          <label className="visually-hidden" htmlFor="sandbox-reply-channel">
            {t('sandbox.replyChannel')}
          </label>
          <select
            id="sandbox-reply-channel"
            className="phone-reply-channel"
            value={channel}
            onChange={(e) => setChannel(e.target.value as SandboxReplyChannel)}
            data-testid="sandbox-reply-channel"
          >
            {SANDBOX_REPLY_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {channelLabel(t, c)}
              </option>
            ))}
          </select>
          <label className="visually-hidden" htmlFor="sandbox-reply-text">
            {t('sandbox.replyText')}
          </label>
          <input
            id="sandbox-reply-text"
            type="text"
            maxLength={1000}
            autoComplete="off"
            placeholder={t('sandbox.replyPlaceholder')}
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-invalid={fieldError(error, '/text') ? true : undefined}
            data-testid="sandbox-reply-text"
          />
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || !text.trim()}
            aria-busy={busy}
            data-testid="sandbox-reply-submit"
          >
            {t('sandbox.replySubmit')}
          </button>
        </div>
        <div className="phone-quick">
          <button
            type="button"
            className="button button-danger-ghost button-sm"
            onClick={() => reply('STOP')}
            disabled={busy}
            data-testid="sandbox-stop"
          >
            {t('sandbox.stop')}
          </button>
          <button
            type="button"
            className="button button-secondary button-sm"
            onClick={() => reply('START')}
            disabled={busy}
            data-testid="sandbox-start"
          >
            {t('sandbox.start')}
          </button>
          <span className="small muted">{t('sandbox.stopHint')}</span>
        </div>
      </form>
    </section>
  );
}

function Bubble({ item }: { item: SandboxItem }) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  const outcome = sandboxOutcome(t, item.outcome);
  return (
    <li
      className={`bubble bubble-${item.direction}${outcome ? ' is-undelivered' : ''}`}
      data-testid="sandbox-bubble"
      data-direction={item.direction}
      data-channel={item.channel}
      data-outcome={item.outcome}
    >
      <div className="bubble-meta">
        <ChannelBadge channel={item.channel} />
        <span className="visually-hidden">
          {item.direction === 'received' ? t('sandbox.received') : t('sandbox.sent')}
        </span>
        <span className="bubble-from">{item.direction === 'received' ? item.from : item.to}</span>
      </div>
      {item.subject && <strong className="bubble-subject">{item.subject}</strong>}
      <div className="bubble-text">{item.text}</div>
      <div className="bubble-foot">
        <time dateTime={item.at}>{fmt.timestamp(item.at)}</time>
        {outcome && (
          <span className="bubble-outcome" data-testid="sandbox-bubble-outcome">
            {outcome}
          </span>
        )}
      </div>
    </li>
  );
}

function Mailbox() {
  const { t } = useI18n();
  const [draft, setDraft] = useState('');
  const [address, setAddress] = useState<string | null>(null);
  const [draftError, setDraftError] = useState<string | undefined>();
  const mailbox = usePolling(
    () => api.sandbox.mailbox(address ?? ''),
    [address],
    POLL_MS,
    Boolean(address),
  );
  const mails = [...(mailbox.data?.data ?? [])].reverse();

  const open = (event: FormEvent) => {
    event.preventDefault();
    const value = draft.trim().toLowerCase();
    if (!value.includes('@')) {
      setDraftError(t('sandbox.mailRequired'));
      return;
    }
    setDraftError(undefined);
    setAddress(value);
  };

  return (
    <section className="card" aria-labelledby="sandbox-mailbox-title" data-testid="sandbox-mailbox">
      <h2 className="card-title" id="sandbox-mailbox-title">
        {t('sandbox.mailbox')}
      </h2>
      <form className="form-row" onSubmit={open} noValidate>
        <Field label={t('sandbox.mailAddress')} error={draftError}>
          <input
            type="email"
            autoComplete="off"
            spellCheck={false}
            maxLength={254}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            data-testid="sandbox-mail-address"
          />
        </Field>
        <button
          type="submit"
          className="button button-primary form-row-button"
          data-testid="sandbox-mail-open"
        >
          {t('sandbox.mailOpen')}
        </button>
      </form>
      {address &&
        (mailbox.loading ? (
          <Loading />
        ) : mailbox.error && !mailbox.data ? (
          <ErrorBanner error={mailbox.error} onRetry={mailbox.refresh} />
        ) : mails.length === 0 ? (
          <EmptyState icon="📭" title={t('sandbox.mailEmpty')} testId="sandbox-mail-empty">
            <p>
              <code>{address}</code> · {t('sandbox.autoRefresh')}
            </p>
          </EmptyState>
        ) : (
          <ul className="mail-list">
            {mails.map((mail, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: append-only list, shown newest first
              <Mail key={`${mail.at}-${mails.length - index}`} mail={mail} />
            ))}
          </ul>
        ))}
    </section>
  );
}

function Mail({ mail }: { mail: SandboxMail }) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  const subject = mail.subject || t('sandbox.mailNoSubject');
  return (
    <li className="mail" data-testid="sandbox-mail">
      <div className="mail-head">
        <strong className="mail-subject" data-testid="sandbox-mail-subject">
          {subject}
        </strong>
        <time className="muted small" dateTime={mail.at}>
          {fmt.timestamp(mail.at)}
        </time>
      </div>
      <dl className="details-meta">
        <dt>{t('sandbox.mailFrom')}</dt>
        <dd>
          <code>{mail.from}</code>
        </dd>
        <dt>{t('sandbox.unsubscribe')}</dt>
        <dd data-testid="sandbox-mail-unsubscribe">
          {mail.unsubscribe ? (
            <code className="small">{mail.unsubscribe}</code>
          ) : (
            <span className="muted">{t('sandbox.noUnsubscribe')}</span>
          )}
        </dd>
      </dl>
      {mail.html && (
        <div className="mail-part">
          <h3 className="details-title">{t('sandbox.mailHtml')}</h3>
          <HtmlPreview html={mail.html} title={t('sandbox.mailHtmlFrame', { subject })} />
        </div>
      )}
      {mail.text && (
        <div className="mail-part">
          <h3 className="details-title">{t('sandbox.mailText')}</h3>
          <div className="message-text" data-testid="sandbox-mail-text">
            {mail.text}
          </div>
        </div>
      )}
    </li>
  );
}

function MagicNumbers() {
  const { t } = useI18n();
  const rows = (entries: [string, string][]) =>
    entries.map(([suffix, text]) => (
      <div key={suffix}>
        <dt>
          <code>…{suffix}</code>
        </dt>
        <dd>{text}</dd>
      </div>
    ));
  return (
    <aside className="help-box" aria-labelledby="sandbox-help-title" data-testid="sandbox-help">
      <h2 className="card-title" id="sandbox-help-title">
        {t('sandbox.helpTitle')}
      </h2>
      <p className="muted small">{t('sandbox.helpIntro')}</p>
      <h3 className="details-title">{t('sandbox.helpSms')}</h3>
      <dl className="magic-list">
        {rows([
          ['0666', t('sandbox.help0666')],
          ['0777', t('sandbox.help0777')],
          ['0444', t('sandbox.help0444')],
          ['0555', t('sandbox.help0555')],
          ['0222', t('sandbox.help0222')],
          ['0888', t('sandbox.help0888')],
        ])}
      </dl>
      <h3 className="details-title">{t('sandbox.helpRcs')}</h3>
      <dl className="magic-list">
        {rows([
          ['0404', t('sandbox.helpRcs0404')],
          ['0777', t('sandbox.helpRcs0777')],
        ])}
      </dl>
      <h3 className="details-title">{t('sandbox.helpWhatsapp')}</h3>
      <dl className="magic-list">{rows([['0666', t('sandbox.helpWa0666')]])}</dl>
      <p className="muted small">{t('sandbox.helpOther')}</p>
    </aside>
  );
}
