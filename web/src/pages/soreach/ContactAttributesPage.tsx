import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, request } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyButton } from '../../components/CopyButton';
import { Dialog } from '../../components/Dialog';
import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { ActionsHeader } from '../../components/Table';
import { useToast } from '../../components/Toast';
import { useAsync } from '../../hooks';
import { type MessageKey, type Translate, useI18n } from '../../i18n';
import { usePermissions } from '../../permissions';
import type { AttributeDefinition } from './contacts-api';
import { type Rule, segmentsApi } from './segments-api';

/**
 * SoReach › Champs personnalisés (issue 4): the typed custom fields of contacts, i.e. the
 * /v1/contact-attributes API in the console. Every role that reads contacts sees them; owners,
 * admins and marketers (contacts:write) define, rename and delete them. The key and the type never
 * change once created (imports, segments and `{{attributes.key}}` merge fields rely on them), so
 * the edit dialog offers only the label and, for a choice field, its choices.
 */

export type AttributeType = AttributeDefinition['type'];
export interface AttributeDefinitionView extends AttributeDefinition {
  createdAt: string;
}

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['text', 'number', 'date', 'boolean', 'choice'];
/** The database check on contact_attribute_definitions.key (migrations/0010_contacts.sql). */
export const ATTRIBUTE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
const LABEL_MAX = 100;
const CHOICE_MAX = 100;
const CHOICES_MAX = 100;

const key = encodeURIComponent;

export const attributesApi = {
  list: () => request<{ data: AttributeDefinitionView[] }>('GET', '/v1/contact-attributes'),
  create: (input: { key: string; label: string; type: AttributeType; choices?: string[] }) =>
    request<AttributeDefinitionView>('POST', '/v1/contact-attributes', { body: input }),
  update: (attributeKey: string, input: { label?: string; choices?: string[] }) =>
    request<AttributeDefinitionView>('PATCH', `/v1/contact-attributes/${key(attributeKey)}`, { body: input }),
  remove: (attributeKey: string) => request<void>('DELETE', `/v1/contact-attributes/${key(attributeKey)}`),
};

/**
 * A key proposed from the label: "Niveau fidélité" → `niveau_fidelite`. Accents dropped, anything
 * else than a-z and 0-9 becomes `_`, and a key must start with a letter (`f_` is put before one
 * that would not), at most 40 characters: always a key the API accepts, or "" for an empty label.
 */
export function suggestKey(label: string): string {
  const base = label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!base) return '';
  const prefixed = /^[a-z]/.test(base) ? base : `f_${base}`;
  return prefixed.slice(0, 40).replace(/_+$/, '');
}

/** The merge field of a campaign template that prints this attribute (src/modules/campaigns/rules/template.ts). */
export const mergeField = (attributeKey: string) => `{{attributes.${attributeKey}}}`;

export function attributeTypeLabel(t: Translate, type: string): string {
  return (ATTRIBUTE_TYPES as readonly string[]).includes(type) ? t(`contactFields.type.${type}` as MessageKey) : type;
}

/** Text with `{{…}}` merge fields shown as code. */
function withCode(text: string): ReactNode[] {
  return Array.from(text.matchAll(/\{\{[^}]*\}\}|[^{]+|\{/g), (m) => (m[0].startsWith('{{') ? <code key={m.index}>{m[0]}</code> : m[0]));
}

const parseChoices = (text: string) =>
  text
    .split('\n')
    .map((c) => c.trim())
    .filter(Boolean);

export function ContactAttributesPage() {
  const { t, formatDateTime } = useI18n();
  const notify = useToast();
  const { can } = usePermissions();
  const canWrite = can('contacts:write');
  const list = useAsync(() => attributesApi.list(), []);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<AttributeDefinitionView | null>(null);
  const [deleting, setDeleting] = useState<AttributeDefinitionView | null>(null);
  const items = list.data?.data ?? [];

  const createButton = (testId: string) =>
    canWrite ? (
      <button type="button" className="button button-primary" onClick={() => setCreating(true)} data-testid={testId}>
        {t('contactFields.new')}
      </button>
    ) : undefined;

  return (
    <>
      <PageHeader eyebrow={t('nav.soreach')} title={t('contactFields.title')} description={t('contactFields.description')} actions={createButton('contact-field-create')} />
      <section className="card card-flush" aria-label={t('contactFields.listLabel')} data-testid="contact-fields" data-can-write={canWrite}>
        {list.loading ? (
          <Loading />
        ) : list.error ? (
          <div className="card-pad">
            <ErrorBanner error={list.error} onRetry={list.reload} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState icon="🏷️" title={t('contactFields.empty')} testId="contact-fields-empty" action={createButton('contact-fields-empty-create')}>
            <p>{t('contactFields.emptyText')}</p>
            {(['useForm', 'useImport', 'useSegments', 'useCampaigns'] as const).map((use) => (
              <p key={use}>
                <strong>{t(`contactFields.${use}Title`)}</strong> — {withCode(t(`contactFields.${use}`))}
              </p>
            ))}
            {!canWrite && <p className="muted">{t('contactFields.readOnly')}</p>}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="contact-fields-table">
              <caption className="visually-hidden">{t('contactFields.listLabel')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('contactFields.colLabel')}</th>
                  <th scope="col">{t('contactFields.colKey')}</th>
                  <th scope="col">{t('contactFields.colType')}</th>
                  <th scope="col">{t('contactFields.colChoices')}</th>
                  <th scope="col">{t('contactFields.colCreated')}</th>
                  {canWrite && <ActionsHeader />}
                </tr>
              </thead>
              <tbody>
                {items.map((a) => (
                  <tr key={a.key} data-testid="contact-field-row" data-key={a.key} data-type={a.type}>
                    <td className="cell-strong" data-testid="contact-field-label">
                      {a.label}
                    </td>
                    <td className="cell-nowrap">
                      <code data-testid="contact-field-key">{a.key}</code>
                      <div className="muted small">
                        <code>{mergeField(a.key)}</code>{' '}
                        <CopyButton text={mergeField(a.key)} className="button button-ghost button-sm" ariaLabel={t('contactFields.copyMerge', { label: a.label })} />
                      </div>
                    </td>
                    <td data-testid="contact-field-type">{attributeTypeLabel(t, a.type)}</td>
                    <td>
                      {a.choices && a.choices.length > 0 ? (
                        <ul className="chips" data-testid="contact-field-choices">
                          {a.choices.map((c) => (
                            <li key={c} className="chip">
                              {c}
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="cell-nowrap">{formatDateTime(a.createdAt)}</td>
                    {canWrite && (
                      <td className="cell-actions">
                        <button type="button" className="button button-secondary button-sm" onClick={() => setEditing(a)} aria-label={t('contactFields.editNamed', { label: a.label })} data-testid="contact-field-edit">
                          {t('contactFields.edit')}
                        </button>{' '}
                        <button type="button" className="button button-danger-ghost button-sm" onClick={() => setDeleting(a)} aria-label={t('contactFields.deleteNamed', { label: a.label })} data-testid="contact-field-delete">
                          {t('contactFields.delete')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="card-pad muted small">{withCode(t('contactFields.footer'))}</p>
          </div>
        )}
      </section>
      {creating && (
        <AttributeFormDialog
          onClose={() => setCreating(false)}
          onSaved={(saved) => {
            setCreating(false);
            list.setData((previous) => ({ data: [...(previous?.data ?? []).filter((a) => a.key !== saved.key), saved].sort((x, y) => x.key.localeCompare(y.key)) }));
            notify(t('contactFields.created', { label: saved.label }));
          }}
        />
      )}
      {editing && (
        <AttributeFormDialog
          definition={editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            list.setData((previous) => ({ data: (previous?.data ?? []).map((a) => (a.key === saved.key ? saved : a)) }));
            notify(t('contactFields.saved', { label: saved.label }));
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('contactFields.deleteTitle', { label: deleting.label })}
          message={<DeleteImpact definition={deleting} />}
          confirmLabel={t('contactFields.deleteConfirm')}
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            const gone = deleting;
            await attributesApi.remove(gone.key);
            list.setData((previous) => ({ data: (previous?.data ?? []).filter((a) => a.key !== gone.key) }));
            notify(t('contactFields.deleted', { label: gone.label }));
          }}
        />
      )}
    </>
  );
}

/** The messages of the problems this API answers with, in the user's language (the rest: ErrorBanner). */
function AttributeErrorBanner({ error, removedChoices }: { error: unknown; removedChoices: string[] }) {
  const { t } = useI18n();
  if (!(error instanceof ApiError)) return <ErrorBanner error={error} testId="contact-field-error" />;
  let message: string | null = null;
  if (error.code === 'attribute_exists') message = t('contactFields.errorExists');
  else if (error.code === 'invalid_attribute' && error.fieldError('/choices')) {
    // "3 contact(s) still hold a removed choice (Or)": the count is the useful part.
    const count = /^(\d+) contact/.exec(error.detail)?.[1];
    message = t('contactFields.errorChoiceInUse', { count: count ?? '?', choices: removedChoices.join(', ') || '—' });
  }
  if (!message) return <ErrorBanner error={error} testId="contact-field-error" />;
  return (
    <div className="banner banner-error" role="alert" data-testid="contact-field-error" data-code={error.code}>
      <div className="banner-body">
        <p>{message}</p>
      </div>
    </div>
  );
}

/**
 * Create (no `definition`) or edit a field. What the API lets change after creation: the label
 * and the choices of a choice field; a choice still held by a contact cannot be removed (422).
 */
function AttributeFormDialog({
  definition,
  onClose,
  onSaved,
}: {
  definition?: AttributeDefinitionView;
  onClose: () => void;
  onSaved: (saved: AttributeDefinitionView) => void;
}) {
  const { t } = useI18n();
  const editing = Boolean(definition);
  const [label, setLabel] = useState(definition?.label ?? '');
  const [attributeKey, setAttributeKey] = useState(definition?.key ?? '');
  /** Once the key is typed by hand, the label no longer proposes one. */
  const [keyEdited, setKeyEdited] = useState(false);
  const [type, setType] = useState<AttributeType>(definition?.type ?? 'text');
  const [choicesText, setChoicesText] = useState((definition?.choices ?? []).join('\n'));
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** The choices the failed request removed, for its error message. */
  const [removedChoices, setRemovedChoices] = useState<string[]>([]);

  const choices = parseChoices(choicesText);
  const labelError = !label.trim() ? t('contactFields.labelRequired') : undefined;
  const keyError = editing ? undefined : !attributeKey ? t('contactFields.keyRequired') : !ATTRIBUTE_KEY_PATTERN.test(attributeKey) ? t('contactFields.keyInvalid') : undefined;
  const duplicate = choices.find((c, i) => choices.indexOf(c) !== i);
  const choicesError =
    type !== 'choice'
      ? undefined
      : choices.length === 0
        ? t('contactFields.choicesRequired')
        : choices.length > CHOICES_MAX
          ? t('contactFields.choicesTooMany', { max: CHOICES_MAX })
          : choices.some((c) => c.length > CHOICE_MAX)
            ? t('contactFields.choiceTooLong', { max: CHOICE_MAX })
            : duplicate !== undefined
              ? t('contactFields.choiceDuplicate', { choice: duplicate })
              : undefined;

  const serverError = (path: string) => (error instanceof ApiError ? error.fieldError(path) : undefined);
  const keyServerError = error instanceof ApiError && error.code === 'attribute_exists' ? t('contactFields.errorExists') : serverError('/key');

  const changeLabel = (value: string) => {
    setLabel(value);
    if (!editing && !keyEdited) setAttributeKey(suggestKey(value));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (labelError || keyError || choicesError) return;
    setBusy(true);
    setError(null);
    setRemovedChoices((definition?.choices ?? []).filter((c) => !choices.includes(c)));
    try {
      if (definition) {
        const input: { label?: string; choices?: string[] } = {};
        if (label.trim() !== definition.label) input.label = label.trim();
        if (definition.type === 'choice' && choices.join('\n') !== (definition.choices ?? []).join('\n')) input.choices = choices;
        onSaved(Object.keys(input).length === 0 ? definition : await attributesApi.update(definition.key, input));
      } else {
        onSaved(await attributesApi.create({ key: attributeKey, label: label.trim(), type, ...(type === 'choice' ? { choices } : {}) }));
      }
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  // Checked as it is typed once typed by hand (a proposed key is always valid), else on submit.
  const shownKeyError = submitted || (keyEdited && attributeKey !== '') ? keyError : undefined;

  return (
    <Dialog
      title={editing ? t('contactFields.editTitle', { label: definition?.label ?? '' }) : t('contactFields.createTitle')}
      onClose={onClose}
      testId="contact-field-form"
      dismissible={!busy}
      footer={
        <CancelSubmitButtons
          busy={busy}
          onCancel={onClose}
          cancelTestId="contact-field-cancel"
          form="contact-field-form-element"
          submitLabel={editing ? t('contactFields.save') : t('contactFields.create')}
          submitTestId="contact-field-submit"
        />
      }
    >
      <form id="contact-field-form-element" className="form" onSubmit={submit} noValidate>
        <AttributeErrorBanner error={error} removedChoices={removedChoices} />
        <Field label={t('contactFields.label')} hint={t('contactFields.labelHint')} error={(submitted ? labelError : undefined) ?? serverError('/label')}>
          <input type="text" maxLength={LABEL_MAX} value={label} onChange={(e) => changeLabel(e.target.value)} data-testid="contact-field-label-input" />
        </Field>
        {definition ? (
          <div className="field">
            <span className="field-label">{t('contactFields.keyAndType')}</span>
            <p>
              <code>{definition.key}</code> · {attributeTypeLabel(t, definition.type)}
            </p>
            <p className="field-hint">{t('contactFields.keyAndTypeFixed')}</p>
          </div>
        ) : (
          <>
            <Field
              label={t('contactFields.key')}
              hint={
                <>
                  {t('contactFields.keyHint')} {attributeKey && ATTRIBUTE_KEY_PATTERN.test(attributeKey) && <span data-testid="contact-field-merge-preview">{withCode(t('contactFields.keyMerge', { field: mergeField(attributeKey) }))}</span>}
                </>
              }
              error={shownKeyError ?? keyServerError}
            >
              <input
                type="text"
                autoComplete="off"
                spellCheck={false}
                maxLength={40}
                value={attributeKey}
                onChange={(e) => {
                  setKeyEdited(true);
                  setAttributeKey(e.target.value);
                }}
                data-testid="contact-field-key-input"
              />
            </Field>
            <Field label={t('contactFields.type')} hint={t(`contactFields.typeHint.${type}` as MessageKey)} error={serverError('/type')}>
              <select value={type} onChange={(e) => setType(e.target.value as AttributeType)} data-testid="contact-field-type-input">
                {ATTRIBUTE_TYPES.map((option) => (
                  <option key={option} value={option}>
                    {attributeTypeLabel(t, option)}
                  </option>
                ))}
              </select>
            </Field>
          </>
        )}
        {type === 'choice' && (
          <Field
            label={t('contactFields.choices')}
            hint={editing ? t('contactFields.choicesEditHint') : t('contactFields.choicesHint')}
            error={(submitted ? choicesError : undefined) ?? serverError('/choices')}
          >
            <textarea rows={5} value={choicesText} onChange={(e) => setChoicesText(e.target.value)} data-testid="contact-field-choices-input" />
          </Field>
        )}
      </form>
    </Dialog>
  );
}

/** Whether a rule tree names the attribute (directly; a segment nested by reference is not followed). */
function usesAttribute(rule: Rule, attributeKey: string): boolean {
  if ('all' in rule) return rule.all.some((r) => usesAttribute(r, attributeKey));
  if ('any' in rule) return rule.any.some((r) => usesAttribute(r, attributeKey));
  return rule.type === 'attribute' && rule.key === attributeKey;
}

/**
 * What a deletion takes away: the API removes the field's value from every contact at once (no
 * undo) and campaign merge fields print their fallback instead; it refuses while segments' rules
 * name the field (409 attribute_in_use), so those are named before the owner confirms. Read with contacts:read calls (a live count and the segment list).
 */
function DeleteImpact({ definition }: { definition: AttributeDefinitionView }) {
  const { t, formatNumber } = useI18n();
  const holders = useAsync(() => segmentsApi.countDefinition({ all: [{ type: 'attribute', key: definition.key, op: 'is_set' }] }), [definition.key]);
  const segments = useAsync(async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    // Ten pages of 200 at most: past that the warning names the first ones found.
    for (let page = 0; page < 10; page++) {
      const result: Awaited<ReturnType<typeof segmentsApi.list>> = await segmentsApi.list({ cursor, kind: 'dynamic', limit: 200 });
      for (const s of result.data) if (s.definition && usesAttribute(s.definition, definition.key)) names.push(s.name);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return names;
  }, [definition.key]);
  return (
    <div data-testid="contact-field-delete-impact" data-segments={segments.data?.length}>
      <p data-testid="contact-field-delete-count" data-count={holders.data?.count}>
        {holders.loading
          ? t('contactFields.deleteCounting')
          : holders.data
            ? holders.data.count === 0
              ? t('contactFields.deleteNoValues')
              : t(holders.data.approximate ? 'contactFields.deleteValuesApprox' : 'contactFields.deleteValues', { count: formatNumber(holders.data.count) })
            : t('contactFields.deleteValuesUnknown')}
      </p>
      {segments.data && segments.data.length > 0 && (
        <p data-testid="contact-field-delete-segments">{t('contactFields.deleteSegments', { names: segments.data.join(', ') })}</p>
      )}
      <p>{withCode(t('contactFields.deleteMerge', { field: mergeField(definition.key) }))}</p>
    </div>
  );
}
