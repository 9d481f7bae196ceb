import { type FormEvent, useRef, useState } from 'react';
import { api, isApiError } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Field } from '../../components/Field';
import { AddFormCard, FormRowSubmit } from '../../components/FormParts';
import { Badge, EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { ActionsHeader, RemoveCell } from '../../components/Table';
import { useToast } from '../../components/Toast';
import { useAsync } from '../../hooks';
import { type MessageKey, type Translate, useI18n } from '../../i18n';
import { usePermissions } from '../../permissions';
import type { Sender, SenderKind } from '../../types';
import { useMessagingFormat } from './shared';

const MAX_SENDER = 16;

const kindKeys: Record<SenderKind, MessageKey> = {
  alphanumeric: 'senders.kind.alphanumeric',
  short_code: 'senders.kind.short_code',
  long_number: 'senders.kind.long_number',
};

/** The generic words carriers block (the server's `GENERIC_SENDER_WORDS`). */
const GENERIC_WORDS = [
  'INFO',
  'SMS',
  'TEST',
  'NOREPLY',
  'OTP',
  'ALERT',
  'VERIFY',
  'MESSAGE',
  'NOTIFICATION',
  'SERVICE',
];

/**
 * Why the server answered `invalid_sender`, in the user's language (the same rules as the
 * server's `rules/sender.ts`); undefined when none applies, and the server's detail is shown.
 */
function invalidReason(t: Translate, sender: string): string | undefined {
  if (!sender) return t('senders.invalidEmpty');
  if (/^\+?\d+$/.test(sender)) {
    const digits = sender.replace('+', '').length;
    return digits < 3 || digits > 15 ? t('senders.invalidDigits', { count: digits }) : undefined;
  }
  if (sender.length > 11) return t('senders.invalidLength', { count: sender.length });
  if (!/^[A-Za-z0-9]+$/.test(sender)) return t('senders.invalidCharacters');
  if (GENERIC_WORDS.includes(sender.toUpperCase())) return t('senders.invalidGeneric', { sender });
  return undefined;
}

/** Sender IDs and owned numbers (`/v1/senders`): list, add and remove with `settings:manage`. */
export function SendersTab() {
  const { t } = useI18n();
  const notify = useToast();
  const { can } = usePermissions();
  const manage = can('settings:manage');
  const list = useAsync(() => api.senders.list(), []);
  const [removing, setRemoving] = useState<Sender | null>(null);
  const items = list.data?.data ?? [];

  return (
    <>
      <p className="tab-intro">{t('senders.intro')}</p>
      {manage ? (
        <AddSenderForm
          onAdded={(added) => {
            list.setData((prev) => ({
              data: [...(prev?.data ?? []).filter((s) => s.sender !== added.sender), added],
            }));
            notify(t('senders.added', { sender: added.sender }));
          }}
        />
      ) : (
        <p className="muted" data-testid="senders-read-only">
          {t('senders.readOnly')}
        </p>
      )}
      <section className="card card-flush" aria-label={t('senders.listLabel')}>
        {list.loading ? (
          <Loading />
        ) : list.error ? (
          <div className="card-pad">
            <ErrorBanner error={list.error} onRetry={list.reload} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState icon="✉️" title={t('senders.empty')} testId="senders-empty">
            <p>{t('senders.emptyText')}</p>
          </EmptyState>
        ) : (
          <SenderTable items={items} onRemove={manage ? setRemoving : undefined} />
        )}
      </section>
      {removing && (
        <ConfirmDialog
          title={t('senders.removeTitle', { sender: removing.sender })}
          message={t('senders.removeText')}
          confirmLabel={t('senders.remove')}
          danger
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.senders.remove(removing.sender);
            list.setData((prev) => ({
              data: (prev?.data ?? []).filter((s) => s.sender !== removing.sender),
            }));
            notify(t('senders.removed', { sender: removing.sender }));
          }}
        />
      )}
    </>
  );
}

function SenderTable({ items, onRemove }: { items: Sender[]; onRemove?: (s: Sender) => void }) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="senders-table">
        <caption className="visually-hidden">{t('senders.listLabel')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('senders.colSender')}</th>
            <th scope="col">{t('senders.colKind')}</th>
            <th scope="col">{t('senders.colStatus')}</th>
            <th scope="col">{t('senders.colDate')}</th>
            {onRemove && <ActionsHeader />}
          </tr>
        </thead>
        <tbody>
          {items.map((s) => {
            const kind = kindKeys[s.kind as SenderKind];
            return (
              <tr
                key={s.sender}
                data-testid="sender-row"
                data-sender={s.sender}
                data-kind={s.kind}
                data-status={s.status}
              >
                <td className="cell-nowrap">
                  <code className="cell-strong">{s.sender}</code>
                </td>
                <td>{kind ? t(kind) : s.kind}</td>
                <td>
                  <Badge tone={s.status === 'active' ? 'success' : 'neutral'}>
                    {s.status === 'active' ? t('senders.status.active') : s.status}
                  </Badge>
                </td>
                <td className="cell-nowrap">{fmt.timestamp(s.createdAt)}</td>
                {onRemove && (
                  <RemoveCell
                    onClick={() => onRemove(s)}
                    ariaLabel={t('senders.removeNamed', { sender: s.sender })}
                    label={t('senders.remove')}
                    testId="sender-remove"
                  />
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function AddSenderForm({ onAdded }: { onAdded: (sender: Sender) => void }) {
  const { t } = useI18n();
  const [sender, setSender] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** The value the server refused, so that the reason matches what was sent. */
  const [refused, setRefused] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const value = sender.trim();
  const missing = !value;
  const tooLong = value.length > MAX_SENDER;

  const code = isApiError(error) ? error.code : undefined;
  const problem =
    code === 'invalid_sender'
      ? (invalidReason(t, refused) ?? (isApiError(error) ? error.detail : undefined))
      : code === 'conflict'
        ? t('senders.conflict', { sender: refused })
        : undefined;
  const clientError = submitted
    ? missing
      ? t('senders.senderRequired')
      : tooLong
        ? t('senders.senderTooLong')
        : undefined
    : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (missing || tooLong) {
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setRefused(value);
    try {
      const added = await api.senders.add(value);
      onAdded(added);
      setSender('');
      setSubmitted(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      inputRef.current?.focus();
    }
  };

  return (
    <AddFormCard
      titleId="sender-add-title"
      title={t('senders.addTitle')}
      text={t('senders.addText')}
    >
      <form className="form" onSubmit={submit} noValidate data-testid="sender-add-form">
        {problem ? (
          <div
            className="banner banner-error"
            role="alert"
            data-testid="sender-error"
            data-code={code}
          >
            <div className="banner-body">
              <p>
                <strong>
                  {code === 'conflict'
                    ? t('senders.conflict', { sender: refused })
                    : t('senders.invalid')}
                </strong>
              </p>
              {code === 'invalid_sender' && <p>{problem}</p>}
            </div>
          </div>
        ) : (
          <ErrorBanner error={error} testId="sender-error" />
        )}
        <div className="form-row">
          <Field
            label={t('senders.sender')}
            hint={t('senders.senderHint')}
            error={clientError ?? problem}
          >
            <input
              ref={inputRef}
              type="text"
              autoComplete="off"
              spellCheck={false}
              maxLength={MAX_SENDER}
              value={sender}
              onChange={(e) => {
                setSender(e.target.value);
                if (error) setError(null);
              }}
              data-testid="sender-input"
            />
          </Field>
          <FormRowSubmit busy={busy} label={t('senders.addSubmit')} testId="sender-submit" />
        </div>
      </form>
    </AddFormCard>
  );
}
