import { type FormEvent, useMemo, useRef, useState } from 'react';
import { api, isApiError } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { OptionalTextField } from '../../components/FormParts';
import { Badge, type BadgeTone, EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { ActionsHeader, RemoveCell } from '../../components/Table';
import { ToolbarSelect } from '../../components/Toolbar';
import { useToast } from '../../components/Toast';
import { fieldError } from '../../errors';
import { type MessageKey, type Translate, useI18n } from '../../i18n';
import { usePermissions } from '../../permissions';
import {
  type NewWhatsAppTemplate,
  WHATSAPP_TEMPLATE_CATEGORIES,
  WHATSAPP_TEMPLATE_STATUSES,
  type WhatsAppTemplate,
  type WhatsAppTemplateCategory,
  type WhatsAppTemplateComponent,
  type WhatsAppTemplateStatus,
} from '../../types';
import { useMessagingFormat, usePolling } from './shared';

/** Statuses move when Meta answers (seconds in the sandbox, hours in production). */
const POLL_MS = 5000;
const NAME_PATTERN = /^[a-z0-9_]{1,512}$/;
const MAX_BODY = 1024;
const MAX_SHORT = 60;
const MAX_BUTTONS = 3;
const MAX_BUTTON_TEXT = 25;
/** The languages offered in the form (Meta's codes); the API accepts any of Meta's. */
const LANGUAGES = ['fr', 'en', 'en_US', 'en_GB', 'de', 'es', 'it', 'nl', 'pt_PT'] as const;

const statusTones: Record<WhatsAppTemplateStatus, BadgeTone> = {
  APPROVED: 'success',
  PENDING: 'info',
  REJECTED: 'danger',
  PAUSED: 'warning',
  DISABLED: 'neutral',
};

const REASONS = [
  'INVALID_FORMAT',
  'ABUSIVE_CONTENT',
  'PROMOTIONAL',
  'INCORRECT_CATEGORY',
  'CATEGORY_NOT_AVAILABLE',
  'TAG_CONTENT_MISMATCH',
  'SCAM',
  'UNKNOWN',
] as const;

function isStatus(value: string): value is WhatsAppTemplateStatus {
  return (WHATSAPP_TEMPLATE_STATUSES as readonly string[]).includes(value);
}

function statusLabel(t: Translate, status: string): string {
  return isStatus(status) ? t(`waTemplates.status.${status}` as MessageKey) : status;
}

function categoryLabel(t: Translate, category: string): string {
  return (WHATSAPP_TEMPLATE_CATEGORIES as readonly string[]).includes(category)
    ? t(`waTemplates.category.${category}` as MessageKey)
    : category;
}

function reasonLabel(t: Translate, reason: string): string {
  return (REASONS as readonly string[]).includes(reason)
    ? t(`waTemplates.reason.${reason}` as MessageKey)
    : reason;
}

/** The distinct `{{n}}` variables of a text, in numeric order. */
export function variablesOf(text: string): string[] {
  const numbers = new Set<number>();
  for (const m of text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) numbers.add(Number(m[1]));
  return [...numbers].sort((a, b) => a - b).map((n) => `{{${n}}}`);
}

/** "Commande prête !" → "commande_prete": a name Meta accepts, from what people type. */
export function suggestName(input: string): string {
  return input
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 512);
}

function bodyOf(template: WhatsAppTemplate): string {
  return template.components.find((c) => c.type === 'BODY')?.text ?? '';
}

/**
 * Modèles WhatsApp (`/v1/whatsapp/templates`): the templates of the account with their approval
 * status at Meta, a create form, delete with confirmation and a sync with Meta. Reading needs
 * `messages:read`; changes need `campaigns:write` (owner, admin, marketer).
 */
export function WhatsAppTemplatesTab() {
  const { t } = useI18n();
  const notify = useToast();
  const { can } = usePermissions();
  const manage = can('campaigns:write');
  const [status, setStatus] = useState<WhatsAppTemplateStatus | ''>('');
  const list = usePolling(() => api.whatsappTemplates.list(status), [status], POLL_MS);
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<WhatsAppTemplate | null>(null);
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<unknown>(null);
  const items = list.data?.data ?? [];

  const sync = async () => {
    setSyncing(true);
    setSyncError(null);
    try {
      const report = await api.whatsappTemplates.sync();
      notify(
        t('waTemplates.synced', {
          updated: report.updated,
          removed: report.removed,
          unchanged: report.unchanged,
        }),
      );
      list.refresh();
    } catch (e) {
      setSyncError(e);
    } finally {
      setSyncing(false);
    }
  };

  const createButton = manage && (
    <button
      type="button"
      className="button button-primary"
      onClick={() => setCreating(true)}
      data-testid="wa-template-create"
    >
      {t('waTemplates.create')}
    </button>
  );

  return (
    <>
      <p className="tab-intro">{t('waTemplates.intro')}</p>
      {!manage && (
        <p className="muted" data-testid="wa-templates-read-only">
          {t('waTemplates.readOnly')}
        </p>
      )}
      <section className="card card-flush" aria-label={t('waTemplates.listLabel')}>
        <form className="toolbar" onSubmit={(e) => e.preventDefault()}>
          <ToolbarSelect
            id="wa-template-status"
            label={t('waTemplates.filterStatus')}
            value={status}
            onChange={setStatus}
            allLabel={t('waTemplates.allStatuses')}
            options={WHATSAPP_TEMPLATE_STATUSES.map((s) => ({ value: s, label: statusLabel(t, s) }))}
            testId="wa-template-filter"
          />
          {manage && (
            <div className="toolbar-buttons toolbar-end">
              <button
                type="button"
                className="button button-secondary"
                onClick={sync}
                disabled={syncing}
                aria-busy={syncing}
                title={t('waTemplates.syncHint')}
                data-testid="wa-template-sync"
              >
                {syncing ? t('common.working') : t('waTemplates.sync')}
              </button>
              {createButton}
            </div>
          )}
        </form>
        {Boolean(syncError) && (
          <div className="card-pad">
            <ErrorBanner error={syncError} testId="wa-template-sync-error" />
          </div>
        )}
        {list.loading && !list.data ? (
          <Loading />
        ) : list.error && !list.data ? (
          <div className="card-pad">
            <ErrorBanner error={list.error} onRetry={list.refresh} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState
            icon="💬"
            title={status ? t('waTemplates.emptyFiltered') : t('waTemplates.empty')}
            testId="wa-templates-empty"
            action={status ? undefined : createButton}
          >
            {!status && <p>{t('waTemplates.emptyText')}</p>}
          </EmptyState>
        ) : (
          <>
            <TemplateTable items={items} onRemove={manage ? setRemoving : undefined} />
            <p className="muted small card-pad">{t('waTemplates.autoRefresh')}</p>
          </>
        )}
      </section>
      {creating && (
        <CreateTemplateDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            notify(t('waTemplates.created', { name: created.name }));
            list.refresh();
          }}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={t('waTemplates.deleteTitle', { name: removing.name, language: removing.language })}
          message={t('waTemplates.deleteText')}
          confirmLabel={t('waTemplates.delete')}
          danger
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.whatsappTemplates.remove(removing.name, removing.language);
            notify(t('waTemplates.deleted', { name: removing.name, language: removing.language }));
            list.refresh();
          }}
        />
      )}
    </>
  );
}

function TemplateTable({
  items,
  onRemove,
}: {
  items: WhatsAppTemplate[];
  onRemove?: ((template: WhatsAppTemplate) => void) | undefined;
}) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="wa-templates-table">
        <caption className="visually-hidden">{t('waTemplates.listLabel')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('waTemplates.colName')}</th>
            <th scope="col">{t('waTemplates.colLanguage')}</th>
            <th scope="col">{t('waTemplates.colCategory')}</th>
            <th scope="col">{t('waTemplates.colStatus')}</th>
            <th scope="col">{t('waTemplates.colUpdated')}</th>
            {onRemove && <ActionsHeader />}
          </tr>
        </thead>
        <tbody>
          {items.map((tpl) => {
            const tone = isStatus(tpl.status) ? statusTones[tpl.status] : 'neutral';
            const detail = tpl.statusDetail?.rejection_info as { reason?: string } | undefined;
            return (
              <tr
                key={`${tpl.name}/${tpl.language}`}
                data-testid="wa-template-row"
                data-name={tpl.name}
                data-language={tpl.language}
                data-status={tpl.status}
              >
                <td>
                  <code className="cell-strong">{tpl.name}</code>
                  <div className="muted small">{bodyOf(tpl)}</div>
                </td>
                <td className="cell-nowrap">
                  <code>{tpl.language}</code>
                </td>
                <td>{categoryLabel(t, tpl.category)}</td>
                <td>
                  <Badge tone={tone} testId="wa-template-status">
                    {statusLabel(t, tpl.status)}
                  </Badge>
                  {tpl.status === 'REJECTED' && tpl.rejectionReason && (
                    <div
                      className="small"
                      data-testid="wa-template-reason"
                      title={detail?.reason}
                    >
                      {t('waTemplates.rejectedBecause', {
                        reason: reasonLabel(t, tpl.rejectionReason),
                      })}
                    </div>
                  )}
                  {tpl.status === 'PAUSED' && (
                    <div className="muted small">{t('waTemplates.pausedHint')}</div>
                  )}
                </td>
                <td className="cell-nowrap">{fmt.timestamp(tpl.updatedAt)}</td>
                {onRemove && (
                  <RemoveCell
                    onClick={() => onRemove(tpl)}
                    ariaLabel={t('waTemplates.deleteNamed', {
                      name: tpl.name,
                      language: tpl.language,
                    })}
                    label={t('waTemplates.delete')}
                    testId="wa-template-delete"
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

/** What the form holds, turned into Meta's components (and where each one lands in the array). */
function buildComponents(form: {
  header: string;
  body: string;
  examples: string[];
  footer: string;
  buttons: string[];
}): { components: WhatsAppTemplateComponent[]; bodyIndex: number; headerIndex: number; footerIndex: number; buttonsIndex: number } {
  const components: WhatsAppTemplateComponent[] = [];
  const header = form.header.trim();
  const footer = form.footer.trim();
  const buttons = form.buttons.map((b) => b.trim()).filter(Boolean);
  let headerIndex = -1;
  let footerIndex = -1;
  let buttonsIndex = -1;
  if (header) {
    headerIndex = components.length;
    components.push({ type: 'HEADER', format: 'TEXT', text: header });
  }
  const bodyIndex = components.length;
  components.push({
    type: 'BODY',
    text: form.body,
    ...(form.examples.length ? { example: { body_text: [form.examples.map((e) => e.trim())] } } : {}),
  });
  if (footer) {
    footerIndex = components.length;
    components.push({ type: 'FOOTER', text: footer });
  }
  if (buttons.length) {
    buttonsIndex = components.length;
    components.push({ type: 'BUTTONS', buttons: buttons.map((text) => ({ type: 'QUICK_REPLY', text })) });
  }
  return { components, bodyIndex, headerIndex, footerIndex, buttonsIndex };
}

function CreateTemplateDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (created: WhatsAppTemplate) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [language, setLanguage] = useState<string>('fr');
  const [category, setCategory] = useState<WhatsAppTemplateCategory>('UTILITY');
  const [header, setHeader] = useState('');
  const [body, setBody] = useState('');
  const [examples, setExamples] = useState<Record<string, string>>({});
  const [footer, setFooter] = useState('');
  const [buttons, setButtons] = useState<string[]>(['', '', '']);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  const variables = useMemo(() => variablesOf(body), [body]);
  const built = buildComponents({
    header,
    body,
    examples: variables.map((v) => examples[v] ?? ''),
    footer,
    buttons,
  });
  const nameValue = name.trim();
  const suggestion = nameValue && !NAME_PATTERN.test(nameValue) ? suggestName(nameValue) : '';

  const clientErrors = {
    name: !nameValue ? t('waTemplates.nameRequired') : !NAME_PATTERN.test(nameValue) ? t('waTemplates.nameInvalid') : undefined,
    body: !body.trim() ? t('waTemplates.bodyRequired') : undefined,
    examples: variables.map((v) => ((examples[v] ?? '').trim() ? undefined : t('waTemplates.exampleRequired'))),
  };
  const hasClientErrors = Boolean(clientErrors.name || clientErrors.body || clientErrors.examples.some(Boolean));
  const shown = <T,>(value: T) => (submitted ? value : undefined);

  const code = isApiError(error) ? error.code : undefined;
  const server = (path: string) => (path.includes('/-1') ? undefined : fieldError(error, path));
  const bodyPath = `/components/${built.bodyIndex}`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (hasClientErrors) {
      if (clientErrors.name) nameRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const input: NewWhatsAppTemplate = { name: nameValue, language, category, components: built.components };
    try {
      onCreated(await api.whatsappTemplates.create(input));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const summary =
    code === 'template_exists'
      ? t('waTemplates.exists')
      : code === 'invalid_template' || code === 'validation_failed'
        ? t('waTemplates.invalid')
        : code === 'provider_error'
          ? t('waTemplates.providerError')
          : undefined;

  return (
    <Dialog
      title={t('waTemplates.createTitle')}
      onClose={onClose}
      size="lg"
      testId="wa-template-dialog"
      dismissible={!busy}
      description={t('waTemplates.createIntro')}
      footer={
        <CancelSubmitButtons
          busy={busy}
          onCancel={onClose}
          cancelTestId="wa-template-cancel"
          form="wa-template-form"
          submitLabel={t('waTemplates.submit')}
          submitTestId="wa-template-submit"
        />
      }
    >
      <form id="wa-template-form" className="form" onSubmit={submit} noValidate>
        {summary ? (
          <div className="banner banner-error" role="alert" data-testid="wa-template-error" data-code={code}>
            <div className="banner-body">
              <p>{summary}</p>
              {isApiError(error) && code !== 'template_exists' && error.errors.length === 0 && <p>{error.detail}</p>}
            </div>
          </div>
        ) : (
          <ErrorBanner error={error} testId="wa-template-error" />
        )}
        <div className="form-grid">
          <Field
            label={t('waTemplates.name')}
            hint={suggestion ? t('waTemplates.nameSuggestion', { name: suggestion }) : t('waTemplates.nameHint')}
            error={shown(clientErrors.name) ?? server('/name')}
          >
            <input
              ref={nameRef}
              type="text"
              autoComplete="off"
              spellCheck={false}
              maxLength={512}
              value={name}
              onChange={(e) => setName(e.target.value)}
              onBlur={() => {
                if (suggestion) setName(suggestion);
              }}
              data-testid="wa-template-name"
            />
          </Field>
          <Field label={t('waTemplates.language')} error={server('/language')}>
            <select value={language} onChange={(e) => setLanguage(e.target.value)} data-testid="wa-template-language">
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <Field label={t('waTemplates.category')} hint={t('waTemplates.categoryHint')} error={server('/category')}>
          <select
            value={category}
            onChange={(e) => setCategory(e.target.value as WhatsAppTemplateCategory)}
            data-testid="wa-template-category"
          >
            {WHATSAPP_TEMPLATE_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {categoryLabel(t, c)}
              </option>
            ))}
          </select>
        </Field>
        <OptionalTextField
          label={t('waTemplates.header')}
          hint={t('waTemplates.headerHint')}
          error={server(`/components/${built.headerIndex}`)}
          maxLength={MAX_SHORT}
          value={header}
          onChange={setHeader}
          testId="wa-template-header"
        />
        <Field
          label={t('waTemplates.body')}
          hint={
            <>
              {t('waTemplates.bodyHint')}{' '}
              <span className="muted">{t('waTemplates.bodyCount', { count: body.length })}</span>
            </>
          }
          error={shown(clientErrors.body) ?? server(`${bodyPath}/text`)}
        >
          <textarea
            rows={5}
            maxLength={MAX_BODY}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            data-testid="wa-template-body"
          />
        </Field>
        {variables.length > 0 && (
          <fieldset className="fieldset" data-testid="wa-template-examples">
            <legend className="field-label">{t('waTemplates.examples')}</legend>
            <p className="field-hint">{t('waTemplates.examplesHint')}</p>
            <div className="form-grid">
              {variables.map((v, i) => (
                <Field
                  key={v}
                  label={t('waTemplates.example', { variable: v })}
                  error={shown(clientErrors.examples[i]) ?? server(`${bodyPath}/example/body_text/0/${i}`)}
                >
                  <input
                    type="text"
                    maxLength={200}
                    value={examples[v] ?? ''}
                    onChange={(e) => setExamples((prev) => ({ ...prev, [v]: e.target.value }))}
                    data-testid={`wa-template-example-${i + 1}`}
                  />
                </Field>
              ))}
            </div>
            {server(`${bodyPath}/example`) && <div className="field-error">{server(`${bodyPath}/example`)}</div>}
          </fieldset>
        )}
        <OptionalTextField
          label={t('waTemplates.footer')}
          hint={t('waTemplates.footerHint')}
          error={server(`/components/${built.footerIndex}`)}
          maxLength={MAX_SHORT}
          value={footer}
          onChange={setFooter}
          testId="wa-template-footer"
        />
        <fieldset className="fieldset">
          <legend className="field-label">
            {t('waTemplates.buttons')} <span className="field-optional">({t('common.optional')})</span>
          </legend>
          <p className="field-hint">{t('waTemplates.buttonsHint')}</p>
          <div className="form-grid">
            {buttons.slice(0, MAX_BUTTONS).map((value, i) => (
              <Field
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of three inputs
                key={i}
                label={t('waTemplates.button', { number: i + 1 })}
                error={server(`/components/${built.buttonsIndex}/buttons/${i}`)}
              >
                <input
                  type="text"
                  maxLength={MAX_BUTTON_TEXT}
                  value={value}
                  onChange={(e) => setButtons((prev) => prev.map((b, j) => (j === i ? e.target.value : b)))}
                  data-testid={`wa-template-button-${i + 1}`}
                />
              </Field>
            ))}
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
}
