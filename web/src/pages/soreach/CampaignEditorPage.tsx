import { useEffect, useMemo, useRef, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner, Loading, WarningBanner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { useToast } from '../../components/Toast';
import { countSms, hasStopMention } from '../../gsm';
import { useAsync } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { usePermissions } from '../../permissions';
import { Link, navigate } from '../../router';
import { HtmlPreview, useDebounced } from '../messaging/shared';
import {
  type Campaign,
  type CampaignChannel,
  type CampaignInput,
  campaignsApi,
  type Estimate,
  type Variant,
  VARIANT_KEYS,
  type VariantPreview,
  type WinnerMetric,
} from './campaign-api';
import { CampaignStatusBadge } from './CampaignsPage';
import { contactsApi } from './contacts-api';
import { segmentsApi } from './segments-api';
import './campaign.css';

const EDITABLE = new Set(['draft', 'pending_approval', 'scheduled']);
const DEFAULT_STOP = 'STOP SMS au 36111';

interface Form {
  name: string;
  channel: CampaignChannel;
  sender: string;
  smsFallback: boolean;
  variants: Variant[];
  winner: WinnerMetric | '';
  afterHours: number;
  include: string[];
  exclude: string[];
  when: 'now' | 'at';
  at: string;
  throttle: string;
}

const blank: Form = {
  name: '',
  channel: 'sms',
  sender: '',
  smsFallback: true,
  variants: [{ key: 'A', split: 100, text: '' }],
  winner: '',
  afterHours: 4,
  include: [],
  exclude: [],
  when: 'now',
  at: '',
  throttle: '',
};

/** Paris wall time `YYYY-MM-DDTHH:mm` ↔ an instant. */
function parisOffsetMinutes(ms: number): number {
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeZoneName: 'shortOffset' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+1';
  const match = /GMT([+-])(\d+)(?::(\d+))?/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}
export function parisLocalToIso(local: string): string {
  const asUtc = Date.parse(`${local}:00Z`);
  return new Date(asUtc - parisOffsetMinutes(asUtc - 60 * 60_000) * 60_000).toISOString();
}
function isoToParisLocal(iso: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

function formOf(c: Campaign): Form {
  return {
    name: c.name,
    channel: c.channel,
    sender: c.content.sender ?? '',
    smsFallback: c.content.smsFallback !== false,
    variants: c.content.variants,
    winner: c.ab?.winner?.metric ?? '',
    afterHours: c.ab?.winner?.afterHours ?? 4,
    include: c.audience.include,
    exclude: c.audience.exclude,
    when: c.scheduledAt ? 'at' : 'now',
    at: c.scheduledAt ? isoToParisLocal(c.scheduledAt) : '',
    throttle: c.throttlePerMinute ? String(c.throttlePerMinute) : '',
  };
}

function inputOf(form: Form): CampaignInput {
  const variants = form.variants.map((v) => {
    const out: Variant = { key: v.key, split: form.variants.length === 1 ? 100 : v.split };
    if (form.channel === 'email') {
      if (v.subject) out.subject = v.subject;
      if (v.html) out.html = v.html;
      if (v.text) out.text = v.text;
    } else if (v.text) out.text = v.text;
    return out;
  });
  return {
    name: form.name.trim() || 'Campagne',
    channel: form.channel,
    content: { sender: form.sender.trim() || null, variants, ...(form.channel === 'rcs' ? { smsFallback: form.smsFallback } : {}) },
    audience: { include: form.include, exclude: form.exclude },
    ab: form.variants.length > 1 ? { winner: form.winner ? { metric: form.winner, afterHours: form.afterHours } : null } : null,
    throttlePerMinute: form.throttle ? Number(form.throttle) : null,
    scheduledAt: form.when === 'at' && form.at ? parisLocalToIso(form.at) : null,
  };
}

export function NewCampaignPage() {
  return <CampaignEditor campaign={null} onSaved={(c) => navigate(`/soreach/campaigns/${c.id}`, { replace: true })} />;
}

export function CampaignDetailPage({ campaignId }: { campaignId: string }) {
  const loaded = useAsync(() => campaignsApi.get(campaignId), [campaignId]);
  if (loaded.loading && !loaded.data) return <Loading />;
  if (loaded.error || !loaded.data) return <ErrorBanner error={loaded.error} onRetry={loaded.reload} />;
  return <CampaignEditor key={loaded.data.updatedAt} campaign={loaded.data} onSaved={(c) => loaded.setData(c)} />;
}

/**
 * The campaign editor: channel, variants (A/B) with merge fields and the live counter, preview on
 * a phone (SMS bubble) or as an email, audience with its estimate, schedule and throttle; then
 * submit, approve or reject, test, pause, resume, cancel.
 */
function CampaignEditor({ campaign, onSaved }: { campaign: Campaign | null; onSaved: (c: Campaign) => void }) {
  const { t, formatDateTime } = useI18n();
  const { can } = usePermissions();
  const toast = useToast();
  const [form, setForm] = useState<Form>(campaign ? formOf(campaign) : blank);
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<'test' | 'reject' | 'cancel' | 'delete' | null>(null);
  const editable = (!campaign || EDITABLE.has(campaign.status)) && can('campaigns:write');
  const dirty = useMemo(() => !campaign || JSON.stringify(inputOf(formOf(campaign))) !== JSON.stringify(inputOf(form)), [campaign, form]);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const setVariant = (index: number, patch: Partial<Variant>) => setForm((f) => ({ ...f, variants: f.variants.map((v, i) => (i === index ? { ...v, ...patch } : v)) }));
  const variant = form.variants[active] ?? form.variants[0];

  const run = async (label: string, work: () => Promise<Campaign | undefined>, message?: string) => {
    setBusy(label);
    setError(null);
    try {
      const result = await work();
      if (result) onSaved(result);
      if (message) toast(message);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const save = () => run('save', () => (campaign ? campaignsApi.update(campaign.id, inputOf(form)) : campaignsApi.create(inputOf(form))), t('campaignEditor.saved'));
  const submit = () =>
    run('submit', async () => {
      const saved = campaign && !dirty ? campaign : campaign ? await campaignsApi.update(campaign.id, inputOf(form)) : await campaignsApi.create(inputOf(form));
      const submitted = await campaignsApi.action(saved.id, 'submit');
      toast(submitted.status === 'pending_approval' ? t('campaignEditor.submittedApproval') : t('campaignEditor.submitted'));
      if (!campaign) navigate(`/soreach/campaigns/${submitted.id}`, { replace: true });
      return submitted;
    });

  const addVariant = () =>
    setForm((f) => {
      const key = VARIANT_KEYS[f.variants.length];
      if (!key) return f;
      const count = f.variants.length + 1;
      const share = f.winner ? 10 : Math.floor(100 / count);
      const variants = [...f.variants.map((v) => ({ ...v, split: share })), { ...f.variants[0], key, split: f.winner ? share : 100 - share * (count - 1) }];
      setActive(variants.length - 1);
      return { ...f, variants };
    });
  const removeVariant = (index: number) =>
    setForm((f) => {
      const variants = f.variants.filter((_, i) => i !== index).map((v, i) => ({ ...v, key: VARIANT_KEYS[i] ?? v.key }));
      setActive(0);
      return { ...f, variants: variants.length === 1 ? [{ ...variants[0], split: 100 } as Variant] : variants };
    });
  const insert = (snippet: string) => setVariant(active, form.channel === 'email' ? { html: `${variant?.html ?? ''}${snippet}` } : { text: `${variant?.text ?? ''}${snippet}` });

  const totalSplit = form.variants.reduce((sum, v) => sum + v.split, 0);

  return (
    <>
      <PageHeader
        eyebrow={
          <>
            <Link to="/soreach/campaigns">{t('campaignEditor.back')}</Link> · {campaign ? t('campaignEditor.eyebrow') : t('campaignEditor.eyebrowNew')}
          </>
        }
        title={campaign?.name ?? t('campaignEditor.eyebrowNew')}
        actions={
          campaign ? (
            <>
              <CampaignStatusBadge status={campaign.status} />
              {campaign.startedAt && (
                <Link to={`/soreach/campaigns/${campaign.id}/report`} className="button button-secondary" data-testid="campaign-report-link">
                  {t('campaignEditor.report')}
                </Link>
              )}
            </>
          ) : undefined
        }
      />
      {campaign?.status === 'pending_approval' && (
        <WarningBanner testId="campaign-pending-banner">{t('campaignEditor.pendingBanner', { who: campaign.submittedBy ?? '?', date: formatDateTime(campaign.submittedAt) })}</WarningBanner>
      )}
      {campaign?.status === 'draft' && campaign.rejectionReason && <WarningBanner testId="campaign-rejected-banner">{t('campaignEditor.rejectedBanner', { reason: campaign.rejectionReason })}</WarningBanner>}
      {campaign && !editable && campaign.status !== 'draft' && (
        <p className="muted" data-testid="campaign-readonly">
          {t('campaignEditor.readOnly', { status: t(`campaign.status.${campaign.status}` as MessageKey) })}
          {campaign.approvedBy ? ` ${t('campaignEditor.approvedBy', { who: campaign.approvedBy, date: formatDateTime(campaign.approvedAt) })}` : ''}
        </p>
      )}
      {error ? <ErrorBanner error={error} /> : null}
      <div className="campaign-editor">
        <div className="campaign-editor-main">
          <section className="card card-pad" aria-labelledby="campaign-message">
            <h2 className="card-title" id="campaign-message">
              {t('campaignEditor.content')}
            </h2>
            <fieldset disabled={!editable} className="stack">
              <Field label={t('campaignEditor.name')}>
                <input value={form.name} maxLength={200} onChange={(e) => set('name', e.target.value)} data-testid="campaign-name" />
              </Field>
              <div className="field">
                <span className="field-label" aria-hidden="true">
                  {t('campaignEditor.channel')}
                </span>
                <fieldset className="segmented">
                  <legend className="visually-hidden">{t('campaignEditor.channel')}</legend>
                  {(['sms', 'rcs', 'email'] as const).map((c) => (
                    <button key={c} type="button" className="segmented-option" aria-pressed={form.channel === c} onClick={() => set('channel', c)} data-testid={`campaign-channel-${c}`}>
                      {t(`campaign.channel.${c}` as MessageKey)}
                    </button>
                  ))}
                </fieldset>
                {form.channel === 'rcs' && <div className="field-hint">{t('campaignEditor.channelRcsHint')}</div>}
              </div>
              <Field label={t('campaignEditor.sender')} hint={t('campaignEditor.senderHint')}>
                <input value={form.sender} maxLength={254} onChange={(e) => set('sender', e.target.value)} data-testid="campaign-sender" />
              </Field>
              {form.channel === 'rcs' && (
                <label className="checkbox-row">
                  <input type="checkbox" checked={form.smsFallback} onChange={(e) => set('smsFallback', e.target.checked)} />
                  <span>{t('campaignEditor.smsFallback')}</span>
                </label>
              )}
              <div className="campaign-variants">
                <fieldset className="tabs-list">
                  <legend className="visually-hidden">{t('campaignEditor.variants')}</legend>
                  {form.variants.map((v, i) => (
                    <button key={v.key} type="button" aria-pressed={i === active} className="tab" onClick={() => setActive(i)} data-testid={`campaign-variant-tab-${v.key}`}>
                      {t('campaignEditor.variant', { key: v.key })}
                    </button>
                  ))}
                  {form.variants.length < 4 && (
                    <button type="button" className="button button-link" onClick={addVariant} data-testid="campaign-add-variant">
                      {t('campaignEditor.addVariant')}
                    </button>
                  )}
                </fieldset>
                {variant && (
                  <div className="stack">
                    {form.channel === 'email' ? (
                      <>
                        <Field label={t('campaignEditor.subject')}>
                          <input value={variant.subject ?? ''} maxLength={500} onChange={(e) => setVariant(active, { subject: e.target.value })} data-testid="campaign-subject" />
                        </Field>
                        <Field label={t('campaignEditor.html')} hint={t('campaignEditor.mergeHint')}>
                          <textarea rows={8} value={variant.html ?? ''} onChange={(e) => setVariant(active, { html: e.target.value })} data-testid="campaign-html" />
                        </Field>
                      </>
                    ) : (
                      <Field label={t('campaignEditor.text')} hint={t('campaignEditor.mergeHint')}>
                        <textarea rows={5} value={variant.text ?? ''} onChange={(e) => setVariant(active, { text: e.target.value })} data-testid="campaign-text" />
                      </Field>
                    )}
                    <fieldset className="campaign-inserts">
                      <legend className="visually-hidden">{t('campaignEditor.insert')}</legend>
                      <span className="muted small">{t('campaignEditor.insert')} :</span>
                      <button type="button" className="button button-secondary button-small" onClick={() => insert('{{firstName|Client}}')} data-testid="campaign-insert-firstname">
                        {t('campaignEditor.insertFirstName')}
                      </button>
                      <button type="button" className="button button-secondary button-small" onClick={() => insert('{{attributes.ville|}}')}>
                        {t('campaignEditor.insertAttribute')}
                      </button>
                      <button type="button" className="button button-secondary button-small" onClick={() => insert('{{link:https://}}')} data-testid="campaign-insert-link">
                        {t('campaignEditor.insertLink')}
                      </button>
                      {form.channel === 'email' && (
                        <button type="button" className="button button-secondary button-small" onClick={() => insert('{{unsubscribe}}')}>
                          {t('campaignEditor.insertUnsubscribe')}
                        </button>
                      )}
                    </fieldset>
                    {form.channel !== 'email' && <LiveCounter text={variant.text ?? ''} />}
                    {form.variants.length > 1 && (
                      <div className="campaign-split-row">
                        <Field label={t('campaignEditor.split')}>
                          <input type="number" min={1} max={99} value={variant.split} onChange={(e) => setVariant(active, { split: Number(e.target.value) })} data-testid="campaign-split" />
                        </Field>
                        <button type="button" className="button button-link" onClick={() => removeVariant(active)}>
                          {t('campaignEditor.removeVariant', { key: variant.key })}
                        </button>
                      </div>
                    )}
                  </div>
                )}
              </div>
              {form.variants.length > 1 && (
                <fieldset className="campaign-ab">
                  <legend>{t('campaignEditor.abTitle')}</legend>
                  <Field label={t('campaignEditor.winnerRule')}>
                    <select value={form.winner} onChange={(e) => set('winner', e.target.value as Form['winner'])} data-testid="campaign-winner">
                      <option value="">{t('campaignEditor.winnerNone')}</option>
                      <option value="click_rate">{t('campaignEditor.winnerClick')}</option>
                      <option value="delivery_rate">{t('campaignEditor.winnerDelivery')}</option>
                    </select>
                  </Field>
                  {form.winner && (
                    <Field label={t('campaignEditor.winnerAfter')}>
                      <input type="number" min={1} max={168} value={form.afterHours} onChange={(e) => set('afterHours', Number(e.target.value))} data-testid="campaign-winner-after" />
                    </Field>
                  )}
                  <p className="muted small" data-testid="campaign-ab-summary">
                    {form.winner ? t('campaignEditor.abSummaryWinner', { test: totalSplit, rest: 100 - totalSplit }) : t('campaignEditor.abSummarySplit', { total: totalSplit })}
                  </p>
                </fieldset>
              )}
            </fieldset>
          </section>

          <AudienceCard form={form} set={set} editable={editable} />

          <section className="card card-pad" aria-labelledby="campaign-schedule">
            <h2 className="card-title" id="campaign-schedule">
              {t('campaignEditor.schedule')}
            </h2>
            <fieldset disabled={!editable} className="stack">
              <fieldset className="segmented">
                <legend className="visually-hidden">{t('campaignEditor.schedule')}</legend>
                {(['now', 'at'] as const).map((w) => (
                  <button key={w} type="button" aria-pressed={form.when === w} className="segmented-option" onClick={() => set('when', w)} data-testid={`campaign-when-${w}`}>
                    {w === 'now' ? t('campaignEditor.whenNow') : t('campaignEditor.whenAt')}
                  </button>
                ))}
              </fieldset>
              {form.when === 'at' && (
                <Field label={t('campaignEditor.at')}>
                  <input type="datetime-local" value={form.at} onChange={(e) => set('at', e.target.value)} data-testid="campaign-at" />
                </Field>
              )}
              {form.channel !== 'email' && <p className="muted small">{t('campaignEditor.quietHint')}</p>}
              <Field label={t('campaignEditor.throttle')} hint={t('campaignEditor.throttleHint')}>
                <input type="number" min={1} value={form.throttle} onChange={(e) => set('throttle', e.target.value)} data-testid="campaign-throttle" />
              </Field>
            </fieldset>
          </section>

          <div className="campaign-actions" data-testid="campaign-actions">
            {editable && (
              <>
                <button type="button" className="button button-secondary" disabled={busy !== null || !dirty} onClick={save} data-testid="campaign-save">
                  {t('campaignEditor.save')}
                </button>
                <button type="button" className="button button-primary" disabled={busy !== null} aria-busy={busy === 'submit'} onClick={submit} data-testid="campaign-submit">
                  {t('campaignEditor.submit')}
                </button>
              </>
            )}
            {campaign && (
              <>
                {campaign.status === 'pending_approval' && can('campaigns:approve') && (
                  <>
                    <button type="button" className="button button-primary" disabled={busy !== null} onClick={() => run('approve', () => campaignsApi.action(campaign.id, 'approve'), t('campaignEditor.approved'))} data-testid="campaign-approve">
                      {t('campaignEditor.approve')}
                    </button>
                    <button type="button" className="button button-secondary" disabled={busy !== null} onClick={() => setDialog('reject')} data-testid="campaign-reject">
                      {t('campaignEditor.reject')}
                    </button>
                  </>
                )}
                {can('campaigns:write') && ['scheduled', 'running', 'testing'].includes(campaign.status) && (
                  <button type="button" className="button button-secondary" disabled={busy !== null} onClick={() => run('pause', () => campaignsApi.action(campaign.id, 'pause'), t('campaignEditor.done'))} data-testid="campaign-pause">
                    {t('campaignEditor.pause')}
                  </button>
                )}
                {can('campaigns:write') && campaign.status === 'paused' && (
                  <button type="button" className="button button-primary" disabled={busy !== null} onClick={() => run('resume', () => campaignsApi.action(campaign.id, 'resume'), t('campaignEditor.done'))} data-testid="campaign-resume">
                    {t('campaignEditor.resume')}
                  </button>
                )}
                {can('campaigns:write') && campaign.status !== 'draft' && campaign.status !== 'completed' && campaign.status !== 'cancelled' && (
                  <button type="button" className="button button-danger" disabled={busy !== null} onClick={() => setDialog('cancel')} data-testid="campaign-cancel">
                    {t('campaignEditor.cancel')}
                  </button>
                )}
                {can('campaigns:write') && (
                  <button type="button" className="button button-secondary" disabled={busy !== null} onClick={() => setDialog('test')} data-testid="campaign-test">
                    {t('campaignEditor.test')}
                  </button>
                )}
                {can('campaigns:write') && campaign.status === 'draft' && (
                  <button type="button" className="button button-link" disabled={busy !== null} onClick={() => setDialog('delete')} data-testid="campaign-delete">
                    {t('campaignEditor.delete')}
                  </button>
                )}
              </>
            )}
          </div>
        </div>

        <aside className="campaign-editor-side" aria-label={t('campaignEditor.preview')}>
          <PreviewPanel form={form} active={active} />
        </aside>
      </div>

      {dialog === 'test' && campaign && <TestSendDialog campaign={campaign} onClose={() => setDialog(null)} />}
      {dialog === 'reject' && campaign && (
        <RejectDialog
          onClose={() => setDialog(null)}
          onReject={async (reason) => {
            const updated = await campaignsApi.reject(campaign.id, reason);
            onSaved(updated);
            toast(t('campaignEditor.rejected'));
          }}
        />
      )}
      {dialog === 'cancel' && campaign && (
        <ConfirmDialog
          title={t('campaignEditor.cancelTitle')}
          message={t('campaignEditor.cancelText')}
          confirmLabel={t('campaignEditor.cancel')}
          danger
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            onSaved(await campaignsApi.action(campaign.id, 'cancel'));
            toast(t('campaignEditor.done'));
          }}
        />
      )}
      {dialog === 'delete' && campaign && (
        <ConfirmDialog
          title={t('campaignEditor.delete')}
          message={campaign.name}
          confirmLabel={t('campaignEditor.delete')}
          danger
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await campaignsApi.remove(campaign.id);
            toast(t('campaignEditor.deleted'));
            navigate('/soreach/campaigns');
          }}
        />
      )}
    </>
  );
}

/** The GSM 03.38 counter as the server counts (web/src/gsm.ts), with the STOP mention it will add (R-STOP). */
function LiveCounter({ text }: { text: string }) {
  const { t } = useI18n();
  // Merge fields count with their fallback ({{firstName|Client}} → "Client"); links with a sample short link.
  const sample = text.replace(/\{\{\s*link:[^}]*\}\}/g, 'https://sofy.fr/r/AAAAAAAA0').replace(/\{\{([^}|]*)\|?([^}]*)\}\}/g, (_m, _name, fallback: string) => fallback.trim());
  const withStop = hasStopMention(sample) ? sample : `${sample.trimEnd()}\n${DEFAULT_STOP}`;
  const count = countSms(withStop);
  return (
    <div className="campaign-counter" aria-live="polite" data-testid="campaign-counter" data-segments={count.segments} data-encoding={count.encoding}>
      <strong>{t('campaignEditor.counter', { characters: count.characters, segments: count.segments, encoding: count.encoding })}</strong>
      <span className="muted small"> · {t('campaignEditor.counterRemaining', { remaining: count.remaining })}</span>
      <div className="small">{hasStopMention(sample) ? t('campaignEditor.stopPresent') : t('campaignEditor.stopAppended', { mention: DEFAULT_STOP })}</div>
      {count.nonGsm.length > 0 && <div className="small warning-text">{t('campaignEditor.ucs2', { chars: count.nonGsm.join(' ') })}</div>}
    </div>
  );
}

/** The active variant as the send path renders it for a contact: an SMS bubble on a phone, or the email. */
function PreviewPanel({ form, active }: { form: Form; active: number }) {
  const { t } = useI18n();
  const [contactId, setContactId] = useState('');
  const contacts = useAsync(() => contactsApi.list({ limit: 20 }), []);
  const input = inputOf(form);
  const key = useDebounced(JSON.stringify({ channel: input.channel, content: input.content, contactId }), 500);
  const [preview, setPreview] = useState<{ variants: VariantPreview[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const body = JSON.parse(key) as { channel: CampaignChannel; content: CampaignInput['content']; contactId: string };
    if (body.content.variants.every((v) => !v.text && !v.html)) {
      setPreview(null);
      return;
    }
    const controller = new AbortController();
    setError(null);
    campaignsApi
      .preview({ channel: body.channel, content: body.content, ...(body.contactId ? { contactId: body.contactId } : {}) }, controller.signal)
      .then(setPreview)
      .catch((e: unknown) => {
        if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e);
      });
    return () => controller.abort();
  }, [key]);
  const shown = preview?.variants[active] ?? preview?.variants[0];
  return (
    <section className="card card-pad campaign-preview" data-testid="campaign-preview">
      <h2 className="card-title">{t('campaignEditor.preview')}</h2>
      <Field label={t('campaignEditor.previewFor')}>
        <select value={contactId} onChange={(e) => setContactId(e.target.value)} data-testid="campaign-preview-contact">
          <option value="">{t('campaignEditor.previewAnyone')}</option>
          {(contacts.data?.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {[c.firstName, c.lastName].filter(Boolean).join(' ') || c.phone || c.email}
            </option>
          ))}
        </select>
      </Field>
      {error ? <ErrorBanner error={error} /> : null}
      {shown?.refusal && <WarningBanner>{t('campaignEditor.previewRefused', { detail: shown.refusal.detail })}</WarningBanner>}
      {form.channel === 'email' ? (
        <section className="email-preview" aria-label={t('campaignEditor.emailLabel')}>
          {shown?.subject && <p className="email-preview-subject">{shown.subject}</p>}
          {shown?.html ? <HtmlPreview html={shown.html} title={t('campaignEditor.emailLabel')} /> : <p className="muted small">{shown?.text}</p>}
        </section>
      ) : (
        <div className="phone" role="img" aria-label={`${t('campaignEditor.phoneLabel')}: ${shown?.text ?? ''}`}>
          <div className="phone-screen">
            <div className="phone-sender">{form.sender || 'SOFY'}</div>
            {shown?.text && (
              <div className="sms-bubble" data-testid="campaign-preview-bubble">
                {shown.text}
              </div>
            )}
          </div>
        </div>
      )}
      {shown && !shown.refusal && form.channel !== 'email' && (
        <p className="small muted" data-testid="campaign-preview-counts">
          {t('campaignEditor.counter', { characters: shown.characters ?? 0, segments: shown.segments ?? 0, encoding: shown.encoding ?? '' })}
        </p>
      )}
      {shown?.price && <p className="small muted">{t('campaignEditor.previewPrice', { price: `${(shown.price.millicents / 100_000).toFixed(3)} €` })}</p>}
    </section>
  );
}

function AudienceCard({ form, set, editable }: { form: Form; set: <K extends keyof Form>(key: K, value: Form[K]) => void; editable: boolean }) {
  const { t, formatNumber } = useI18n();
  const segments = useAsync(() => segmentsApi.list({ limit: 200 }), []);
  const input = inputOf(form);
  const key = useDebounced(JSON.stringify({ channel: input.channel, content: input.content, audience: input.audience, ab: input.ab }), 700);
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [estimating, setEstimating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const last = useRef('');
  useEffect(() => {
    const body = JSON.parse(key) as Parameters<typeof campaignsApi.estimate>[0];
    if (body.content.variants.every((v) => !v.text && !v.html) || last.current === key) return;
    last.current = key;
    const controller = new AbortController();
    setEstimating(true);
    setError(null);
    campaignsApi
      .estimate(body, controller.signal)
      .then(setEstimate)
      .catch((e: unknown) => {
        if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e);
      })
      .finally(() => setEstimating(false));
    return () => controller.abort();
  }, [key]);
  const toggle = (list: 'include' | 'exclude', id: string) => set(list, form[list].includes(id) ? form[list].filter((x) => x !== id) : [...form[list], id]);
  const items = segments.data?.data ?? [];
  return (
    <section className="card card-pad" aria-labelledby="campaign-audience">
      <h2 className="card-title" id="campaign-audience">
        {t('campaignEditor.audience')}
      </h2>
      {segments.error ? <ErrorBanner error={segments.error} onRetry={segments.reload} /> : null}
      <fieldset disabled={!editable} className="campaign-audience">
        {(['include', 'exclude'] as const).map((list) => (
          <fieldset key={list} className="campaign-segment-list">
            <legend>{list === 'include' ? t('campaignEditor.include') : t('campaignEditor.exclude')}</legend>
            {items.length === 0 && <p className="muted small">{t('campaignEditor.noSegments')}</p>}
            {items.map((s) => (
              <label key={s.id} className="checkbox-row">
                <input type="checkbox" checked={form[list].includes(s.id)} onChange={() => toggle(list, s.id)} data-testid={`campaign-${list}-${s.name}`} />
                <span>{s.name}</span>
              </label>
            ))}
            {list === 'include' && <p className="muted small">{t('campaignEditor.includeHint')}</p>}
          </fieldset>
        ))}
      </fieldset>
      <div className="campaign-estimate" aria-live="polite" data-testid="campaign-estimate" data-recipients={estimate?.recipients ?? ''}>
        <h3 className="small-title">{t('campaignEditor.estimate')}</h3>
        {error ? <ErrorBanner error={error} /> : null}
        {estimating && !estimate ? (
          <span className="muted">{t('campaignEditor.estimating')}</span>
        ) : estimate ? (
          <>
            <p className="campaign-estimate-count">{t('campaignEditor.recipients', { count: formatNumber(estimate.recipients) })}</p>
            <p className="muted small">
              {t('campaignEditor.estimateDetail', {
                audience: formatNumber(estimate.audience),
                noConsent: formatNumber(estimate.excluded.noConsent),
                suppressed: formatNumber(estimate.excluded.suppressed),
                noAddress: formatNumber(estimate.excluded.noAddress),
              })}
            </p>
            <p data-testid="campaign-estimate-cost">{t('campaignEditor.cost', { cost: `${(estimate.cost.cents / 100).toLocaleString('fr-FR', { minimumFractionDigits: 2 })} €` })}</p>
          </>
        ) : null}
      </div>
    </section>
  );
}

function TestSendDialog({ campaign, onClose }: { campaign: Campaign; onClose: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      const addresses = to
        .split(/[\n,;]+/)
        .map((s) => s.trim())
        .filter(Boolean)
        .slice(0, 5);
      const result = await campaignsApi.testSend(campaign.id, addresses);
      toast(t('campaignEditor.testSent', { accepted: result.accepted }));
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('campaignEditor.testTitle')} onClose={onClose} testId="campaign-test-dialog" footer={<CancelSubmitButtons onCancel={onClose} submitLabel={t('campaignEditor.testSend')} busy={busy} form="campaign-test-form" submitTestId="campaign-test-send" />}>
      <form
        id="campaign-test-form"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        {error ? <ErrorBanner error={error} /> : null}
        <Field label={t('campaignEditor.testTo')}>
          <textarea rows={3} value={to} onChange={(e) => setTo(e.target.value)} data-testid="campaign-test-to" />
        </Field>
      </form>
    </Dialog>
  );
}

function RejectDialog({ onClose, onReject }: { onClose: () => void; onReject: (reason: string) => Promise<void> }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await onReject(reason);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('campaignEditor.rejectTitle')} onClose={onClose} testId="campaign-reject-dialog" footer={<CancelSubmitButtons onCancel={onClose} submitLabel={t('campaignEditor.reject')} busy={busy} form="campaign-reject-form" submitTestId="campaign-reject-confirm" />}>
      <form
        id="campaign-reject-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {error ? <ErrorBanner error={error} /> : null}
        <Field label={t('campaignEditor.rejectReason')}>
          <textarea rows={3} required minLength={3} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="campaign-reject-reason" />
        </Field>
      </form>
    </Dialog>
  );
}
