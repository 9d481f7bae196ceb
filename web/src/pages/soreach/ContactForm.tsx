import { type FormEvent, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { fieldError } from '../../errors';
import { useAsync } from '../../hooks';
import { useI18n } from '../../i18n';
import { channelLabel } from '../../labels';
import {
  type AttributeDefinition,
  CONSENT_CHANNELS,
  type ConsentChannel,
  type ConsentSource,
  type ContactDetail,
  type ContactInput,
  contactsApi,
} from './contacts-api';
import { consentSourceLabel } from './contacts-shared';

type AttributeDraft = Record<string, string>;

const text = (value: string) => {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
};

/**
 * Create or edit a contact. On creation, the consent collected at the same time can be recorded
 * with its proof (R-CONSENT); afterwards consent changes go through the detail page, one channel
 * at a time, so each has its own source, date and proof.
 */
export function ContactFormDialog({
  contact,
  onClose,
  onSaved,
}: {
  contact?: ContactDetail;
  onClose: () => void;
  onSaved: (contact: ContactDetail) => void;
}) {
  const { t } = useI18n();
  const definitions = useAsync(() => contactsApi.attributes(), []);
  const editing = Boolean(contact);
  const [phone, setPhone] = useState(contact?.phone ?? '');
  const [email, setEmail] = useState(contact?.email ?? '');
  const [firstName, setFirstName] = useState(contact?.firstName ?? '');
  const [lastName, setLastName] = useState(contact?.lastName ?? '');
  const [language, setLanguage] = useState(contact?.language ?? '');
  const [pointOfSale, setPointOfSale] = useState(contact?.pointOfSale ?? '');
  const [externalId, setExternalId] = useState(contact?.externalId ?? '');
  const [tags, setTags] = useState((contact?.tags ?? []).join(', '));
  const [attributes, setAttributes] = useState<AttributeDraft>(() =>
    Object.fromEntries(Object.entries(contact?.attributes ?? {}).map(([k, v]) => [k, String(v)])),
  );
  const [consentChannels, setConsentChannels] = useState<ConsentChannel[]>([]);
  const [consentSource, setConsentSource] = useState<ConsentSource>('in_store');
  const [proof, setProof] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const noIdentity = !phone.trim() && !email.trim();
  const proofMissing = consentChannels.length > 0 && !proof.trim();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (noIdentity || proofMissing) return;
    setBusy(true);
    setError(null);
    const input: ContactInput = {
      phone: text(phone),
      email: text(email),
      firstName: text(firstName),
      lastName: text(lastName),
      language: text(language),
      pointOfSale: text(pointOfSale),
      externalId: text(externalId),
      tags: tags
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
      attributes: attributeValues(definitions.data?.data ?? [], attributes, contact?.attributes ?? {}),
    };
    if (!editing && consentChannels.length > 0) {
      input.consents = Object.fromEntries(
        consentChannels.map((channel) => [channel, { status: 'granted', source: consentSource, proof: { text: proof.trim() } }]),
      );
    }
    try {
      const saved = contact ? await contactsApi.update(contact.id, input) : await contactsApi.create(input);
      onSaved(saved);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const toggleChannel = (channel: ConsentChannel, on: boolean) =>
    setConsentChannels((list) => (on ? [...list.filter((c) => c !== channel), channel] : list.filter((c) => c !== channel)));

  return (
    <Dialog
      title={editing ? t('contactForm.editTitle') : t('contactForm.createTitle')}
      onClose={onClose}
      size="lg"
      testId="contact-form"
      dismissible={!busy}
      footer={
        <CancelSubmitButtons
          busy={busy}
          onCancel={onClose}
          cancelTestId="contact-form-cancel"
          form="contact-form-element"
          submitLabel={editing ? t('contactForm.save') : t('contactForm.create')}
          submitTestId="contact-form-submit"
        />
      }
    >
      <form id="contact-form-element" className="form" onSubmit={submit} noValidate>
        <ErrorBanner error={error} testId="contact-form-error" />
        <div className="form-grid">
          <Field
            label={t('contactForm.phone')}
            hint={t('contactForm.phoneHint')}
            error={(submitted && noIdentity ? t('contactForm.identityRequired') : undefined) ?? fieldError(error, '/phone')}
          >
            <input type="tel" autoComplete="off" maxLength={40} value={phone} onChange={(e) => setPhone(e.target.value)} data-testid="contact-phone" />
          </Field>
          <Field label={t('contactForm.email')} error={fieldError(error, '/email')}>
            <input type="email" autoComplete="off" maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} data-testid="contact-email" />
          </Field>
          <Field label={t('contactForm.firstName')} error={fieldError(error, '/firstName')}>
            <input type="text" maxLength={100} value={firstName} onChange={(e) => setFirstName(e.target.value)} data-testid="contact-first-name" />
          </Field>
          <Field label={t('contactForm.lastName')} error={fieldError(error, '/lastName')}>
            <input type="text" maxLength={100} value={lastName} onChange={(e) => setLastName(e.target.value)} data-testid="contact-last-name" />
          </Field>
          <Field label={t('contactForm.language')} hint={t('contactForm.languageHint')} error={fieldError(error, '/language')}>
            <input type="text" maxLength={15} value={language} onChange={(e) => setLanguage(e.target.value)} data-testid="contact-language" />
          </Field>
          <Field label={t('contactForm.pointOfSale')} hint={t('contactForm.pointOfSaleHint')} error={fieldError(error, '/pointOfSale')}>
            <input type="text" maxLength={64} value={pointOfSale} onChange={(e) => setPointOfSale(e.target.value)} data-testid="contact-pos" />
          </Field>
          <Field label={t('contactForm.tags')} hint={t('contactForm.tagsHint')} error={fieldError(error, '/tags')}>
            <input type="text" maxLength={2000} value={tags} onChange={(e) => setTags(e.target.value)} data-testid="contact-tags" />
          </Field>
          <Field label={t('contactForm.externalId')} hint={t('contactForm.externalIdHint')} error={fieldError(error, '/externalId')}>
            <input type="text" maxLength={128} value={externalId} onChange={(e) => setExternalId(e.target.value)} data-testid="contact-external-id" />
          </Field>
        </div>

        {(definitions.data?.data.length ?? 0) > 0 && (
          <fieldset className="fieldset">
            <legend className="field-label">{t('contactForm.attributes')}</legend>
            <div className="form-grid">
              {definitions.data?.data.map((definition) => (
                <AttributeField
                  key={definition.key}
                  definition={definition}
                  value={attributes[definition.key] ?? ''}
                  onChange={(value) => setAttributes((a) => ({ ...a, [definition.key]: value }))}
                  error={fieldError(error, `/attributes/${definition.key}`)}
                />
              ))}
            </div>
          </fieldset>
        )}

        {!editing && (
          <fieldset className="fieldset" data-testid="contact-consent">
            <legend className="field-label">{t('contactForm.consentTitle')}</legend>
            <p className="field-hint">{t('contactForm.consentText')}</p>
            <div className="checkbox-list">
              {CONSENT_CHANNELS.map((channel) => (
                <div key={channel} className={`checkbox-card${consentChannels.includes(channel) ? ' is-checked' : ''}`}>
                  <input
                    id={`contact-consent-${channel}`}
                    type="checkbox"
                    checked={consentChannels.includes(channel)}
                    onChange={(e) => toggleChannel(channel, e.target.checked)}
                    data-testid={`contact-consent-${channel}`}
                  />
                  <label htmlFor={`contact-consent-${channel}`}>{t('contactForm.consentChannel', { channel: channelLabel(t, channel) })}</label>
                </div>
              ))}
            </div>
            {consentChannels.length > 0 && (
              <div className="form-grid">
                <Field label={t('contactForm.consentSource')}>
                  <select value={consentSource} onChange={(e) => setConsentSource(e.target.value as ConsentSource)} data-testid="contact-consent-source">
                    {(['in_store', 'form', 'console'] as const).map((source) => (
                      <option key={source} value={source}>
                        {consentSourceLabel(t, source)}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field
                  label={t('contactForm.consentProof')}
                  hint={t('contactForm.consentProofHint')}
                  error={(submitted && proofMissing ? t('contactForm.consentProofRequired') : undefined) ?? fieldError(error, '/consents')}
                >
                  <input type="text" maxLength={2000} value={proof} onChange={(e) => setProof(e.target.value)} data-testid="contact-consent-proof" />
                </Field>
              </div>
            )}
          </fieldset>
        )}
      </form>
    </Dialog>
  );
}

/** The values to send: what was typed, null for a field emptied (removes it), absent when untouched. */
function attributeValues(
  definitions: AttributeDefinition[],
  draft: AttributeDraft,
  before: Record<string, string | number | boolean>,
): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const definition of definitions) {
    const value = (draft[definition.key] ?? '').trim();
    if (value === '') {
      if (definition.key in before) out[definition.key] = null;
      continue;
    }
    out[definition.key] = definition.type === 'boolean' ? value === 'true' : value;
  }
  return out;
}

function AttributeField({
  definition,
  value,
  onChange,
  error,
}: {
  definition: AttributeDefinition;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  const { t } = useI18n();
  const testId = `contact-attribute-${definition.key}`;
  if (definition.type === 'boolean' || definition.type === 'choice') {
    const options =
      definition.type === 'boolean'
        ? [
            { value: 'true', label: t('contactForm.yes') },
            { value: 'false', label: t('contactForm.no') },
          ]
        : (definition.choices ?? []).map((c) => ({ value: c, label: c }));
    return (
      <Field label={definition.label} error={error}>
        <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
          <option value="">{t('contactForm.unset')}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </Field>
    );
  }
  return (
    <Field label={definition.label} error={error}>
      <input
        type={definition.type === 'date' ? 'date' : 'text'}
        inputMode={definition.type === 'number' ? 'decimal' : undefined}
        maxLength={500}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
    </Field>
  );
}
