// The visual rule builder of segments (SoReach, issue 4): groups with an AND/OR toggle, nested,
// and conditions whose pickers follow what the API's catalogue says each field or attribute type
// accepts. The tree is kept as drafts (text the person is typing), turned into a definition for
// the API by `toDefinition`, which says when a condition is not complete yet.
import { Fragment, useId } from 'react';
import { type MessageKey, useI18n } from '../../i18n';
import { channelLabel } from '../../labels';
import type { Catalogue, Condition, ContactField, Definition, Operator, Rule } from './segments-api';

export interface DraftCondition {
  key: string;
  kind: 'condition';
  /** `field:language`, `tag`, `attr:<key>`, `consent:<channel>`, `activity`, `segment`, or '' (not chosen). */
  subject: string;
  op: string;
  value: string;
  to: string;
  values: string;
  days: string;
  status: string;
  activityKind: string;
  campaignId: string;
  channel: string;
  withinDays: string;
  minCount: string;
  segmentId: string;
}

export interface DraftGroup {
  key: string;
  kind: 'group';
  mode: 'all' | 'any';
  items: DraftNode[];
}

export type DraftNode = DraftGroup | DraftCondition;

let nextKey = 0;
const newKey = () => `n${++nextKey}`;

export function emptyCondition(): DraftCondition {
  return { key: newKey(), kind: 'condition', subject: '', op: '', value: '', to: '', values: '', days: '', status: 'granted', activityKind: 'received', campaignId: '', channel: '', withinDays: '', minCount: '', segmentId: '' };
}

export function emptyGroup(mode: 'all' | 'any' = 'all', items: DraftNode[] = []): DraftGroup {
  return { key: newKey(), kind: 'group', mode, items };
}

const TIMESTAMP_FIELDS: ContactField[] = ['created_at', 'updated_at', 'last_activity_at'];
const list = (text: string) =>
  text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text.replace(',', '.')));

/** What kind of value a subject compares: decides the inputs. */
function valueKind(subject: string, catalogue: Catalogue): 'text' | 'number' | 'date' | 'boolean' | 'choice' | 'timestamp' | 'presence' | 'list' {
  if (subject.startsWith('attr:')) return catalogue.attributes.find((a) => a.key === subject.slice(5))?.type ?? 'text';
  if (subject.startsWith('field:')) {
    const field = subject.slice(6) as ContactField;
    if (TIMESTAMP_FIELDS.includes(field)) return 'timestamp';
    if (field === 'phone' || field === 'email') return 'presence';
    return 'list';
  }
  return 'text';
}

function operandOf(op: string): 'none' | 'value' | 'range' | 'values' | 'days' {
  if (['is_set', 'is_not_set', 'is_true', 'is_false'].includes(op)) return 'none';
  if (op === 'in' || op === 'not_in') return 'values';
  if (op === 'between') return 'range';
  if (['within_last_days', 'within_next_days', 'more_than_days_ago'].includes(op)) return 'days';
  return 'value';
}

export function operatorsFor(subject: string, catalogue: Catalogue): string[] {
  if (subject.startsWith('field:')) return catalogue.fields.find((f) => f.field === subject.slice(6))?.operators ?? [];
  if (subject.startsWith('attr:')) return catalogue.attributes.find((a) => a.key === subject.slice(5))?.operators ?? [];
  if (subject === 'tag') return catalogue.tagOperators;
  if (subject.startsWith('consent:')) return ['is', 'is_not'];
  if (subject === 'activity') return ['performed', 'not_performed'];
  if (subject === 'segment') return ['in', 'not_in'];
  return [];
}

/** A sensible first operator when a subject is picked (dates: "in the last 30 days"). */
function defaultOperator(subject: string, catalogue: Catalogue): { op: string; days: string } {
  const operators = operatorsFor(subject, catalogue);
  const kind = valueKind(subject, catalogue);
  if ((kind === 'timestamp' || kind === 'date') && operators.includes('within_last_days')) return { op: 'within_last_days', days: '30' };
  if (kind === 'number' && operators.includes('gte')) return { op: 'gte', days: '' };
  return { op: operators[0] ?? '', days: '' };
}

/** The API's condition for a draft, or null while it is incomplete. */
export function toCondition(draft: DraftCondition, catalogue: Catalogue): Condition | null {
  const { subject, op } = draft;
  if (!subject || !op) return null;
  if (subject === 'tag') {
    const tags = list(draft.values);
    return tags.length ? { type: 'tag', op: op as 'has', tags: op === 'has' || op === 'has_not' ? tags.slice(0, 1) : tags } : null;
  }
  if (subject.startsWith('consent:')) return { type: 'consent', channel: subject.slice(8) as 'sms', op: op as 'is', status: (draft.status || 'granted') as 'granted' };
  if (subject === 'segment') return draft.segmentId ? { type: 'segment', op: op as 'in', segmentId: draft.segmentId } : null;
  if (subject === 'activity') {
    const condition: Condition = { type: 'activity', kind: (draft.activityKind || 'received') as 'received', op: op as 'performed' };
    if (draft.withinDays.trim()) {
      const n = num(draft.withinDays);
      if (!Number.isInteger(n) || n < 1) return null;
      condition.withinDays = n;
    }
    if (draft.minCount.trim()) {
      const n = num(draft.minCount);
      if (!Number.isInteger(n) || n < 1) return null;
      condition.minCount = n;
    }
    if (draft.channel) condition.channel = draft.channel as 'sms';
    if (draft.campaignId.trim()) condition.campaignId = draft.campaignId.trim();
    return condition;
  }
  const kind = valueKind(subject, catalogue);
  const base = subject.startsWith('field:') ? { type: 'field' as const, field: subject.slice(6) as ContactField, op: op as Operator } : { type: 'attribute' as const, key: subject.slice(5), op: op as Operator };
  switch (operandOf(op)) {
    case 'none':
      return base;
    case 'values': {
      const values = list(draft.values);
      return values.length ? { ...base, values } : null;
    }
    case 'days': {
      const n = num(draft.days);
      return Number.isInteger(n) && n >= 0 ? { ...base, days: n } : null;
    }
    case 'range': {
      if (kind === 'number') {
        const [a, b] = [num(draft.value), num(draft.to)];
        return Number.isFinite(a) && Number.isFinite(b) ? ({ ...base, value: a, to: b } as Condition) : null;
      }
      return draft.value && draft.to ? ({ ...base, value: draft.value, to: draft.to } as Condition) : null;
    }
    default: {
      if (kind === 'number') {
        const n = num(draft.value);
        return Number.isFinite(n) ? ({ ...base, value: n } as Condition) : null;
      }
      return draft.value.trim() ? ({ ...base, value: draft.value } as Condition) : null;
    }
  }
}

/** The definition of a draft tree; `complete` is false while a condition still lacks something. */
export function toDefinition(root: DraftGroup, catalogue: Catalogue): { definition: Definition; complete: boolean } {
  let complete = true;
  const group = (node: DraftGroup): Definition => {
    const items: Rule[] = [];
    for (const item of node.items) {
      if (item.kind === 'group') {
        if (item.items.length === 0) {
          complete = false;
          continue;
        }
        items.push(group(item));
      } else {
        const condition = toCondition(item, catalogue);
        if (condition) items.push(condition);
        else complete = false;
      }
    }
    return node.mode === 'all' ? { all: items } : { any: items };
  };
  return { definition: group(root), complete };
}

/** Drafts from a saved definition (editing a segment). */
export function fromDefinition(definition: Definition): DraftGroup {
  const group = (node: Definition): DraftGroup => {
    const mode = 'all' in node ? 'all' : 'any';
    const items = ('all' in node ? node.all : node.any).map((item): DraftNode => ('type' in item ? fromCondition(item) : group(item)));
    return emptyGroup(mode, items);
  };
  return group(definition);
}

function fromCondition(condition: Condition): DraftCondition {
  const draft = emptyCondition();
  switch (condition.type) {
    case 'field':
    case 'attribute':
      draft.subject = condition.type === 'field' ? `field:${condition.field}` : `attr:${condition.key}`;
      draft.op = condition.op;
      draft.value = condition.value === undefined ? '' : String(condition.value);
      draft.to = condition.to === undefined ? '' : String(condition.to);
      draft.values = (condition.values ?? []).join(', ');
      draft.days = condition.days === undefined ? '' : String(condition.days);
      break;
    case 'tag':
      draft.subject = 'tag';
      draft.op = condition.op;
      draft.values = condition.tags.join(', ');
      break;
    case 'consent':
      draft.subject = `consent:${condition.channel}`;
      draft.op = condition.op;
      draft.status = condition.status;
      break;
    case 'activity':
      draft.subject = 'activity';
      draft.op = condition.op ?? 'performed';
      draft.activityKind = condition.kind;
      draft.withinDays = condition.withinDays ? String(condition.withinDays) : '';
      draft.minCount = condition.minCount ? String(condition.minCount) : '';
      draft.channel = condition.channel ?? '';
      draft.campaignId = condition.campaignId ?? '';
      break;
    case 'segment':
      draft.subject = 'segment';
      draft.op = condition.op;
      draft.segmentId = condition.segmentId;
      break;
  }
  return draft;
}

export function countConditions(node: DraftNode): number {
  return node.kind === 'condition' ? 1 : node.items.reduce((n, item) => n + countConditions(item), 0);
}

// Components --------------------------------------------------------------------------------------

interface BuilderProps {
  root: DraftGroup;
  onChange: (root: DraftGroup) => void;
  catalogue: Catalogue;
  /** The segment being edited: it is not offered as a membership condition. */
  selfId?: string;
  testId?: string;
}

/** The whole tree; every change gives a new root (immutable updates). */
export function SegmentRuleBuilder({ root, onChange, catalogue, selfId, testId = 'segment-rules' }: BuilderProps) {
  const total = countConditions(root);
  return (
    <div className="seg-builder" data-testid={testId}>
      <GroupEditor group={root} depth={1} onChange={(g) => onChange(g)} catalogue={catalogue} selfId={selfId} total={total} />
    </div>
  );
}

function GroupEditor({
  group,
  depth,
  onChange,
  onRemove,
  catalogue,
  selfId,
  total,
}: {
  group: DraftGroup;
  depth: number;
  onChange: (group: DraftGroup) => void;
  onRemove?: () => void;
  catalogue: Catalogue;
  selfId: string | undefined;
  total: number;
}) {
  const { t } = useI18n();
  const name = useId();
  const { maxDepth, maxConditions } = catalogue.limits;
  const full = total >= maxConditions;
  const setItem = (index: number, item: DraftNode) => onChange({ ...group, items: group.items.map((x, i) => (i === index ? item : x)) });
  const removeItem = (index: number) => onChange({ ...group, items: group.items.filter((_, i) => i !== index) });
  return (
    <fieldset className={`seg-group seg-depth-${Math.min(depth, 5)}`} data-testid="segment-group" data-mode={group.mode} data-depth={depth}>
      <legend className="visually-hidden">{depth === 1 ? t('segmentEditor.rules') : t('segmentRules.group')}</legend>
      <div className="seg-group-head">
        <div className="seg-toggle" role="radiogroup" aria-label={t('segmentRules.modeLabel')}>
          {(['all', 'any'] as const).map((mode) => (
            <label key={mode} className={`seg-toggle-option${group.mode === mode ? ' is-on' : ''}`}>
              <input type="radio" name={name} value={mode} checked={group.mode === mode} onChange={() => onChange({ ...group, mode })} data-testid={`segment-group-mode-${mode}`} />
              {t(mode === 'all' ? 'segmentRules.all' : 'segmentRules.any')}
            </label>
          ))}
        </div>
        {onRemove && (
          <button type="button" className="button button-secondary button-sm" onClick={onRemove} data-testid="segment-group-remove">
            {t('segmentRules.removeGroup')}
          </button>
        )}
      </div>
      {group.items.length === 0 && <p className="muted small seg-empty">{depth === 1 ? t('segmentRules.emptyRoot') : t('segmentRules.emptyGroup')}</p>}
      <ol className="seg-items">
        {group.items.map((item, index) => (
          <Fragment key={item.key}>
            {index > 0 && (
              <li className="seg-joiner" aria-hidden="true">
                {t(group.mode === 'all' ? 'segmentRules.and' : 'segmentRules.or')}
              </li>
            )}
            <li className="seg-item">
              {item.kind === 'group' ? (
                <GroupEditor group={item} depth={depth + 1} onChange={(g) => setItem(index, g)} onRemove={() => removeItem(index)} catalogue={catalogue} selfId={selfId} total={total} />
              ) : (
                <ConditionEditor draft={item} onChange={(d) => setItem(index, d)} onRemove={() => removeItem(index)} catalogue={catalogue} selfId={selfId} />
              )}
            </li>
          </Fragment>
        ))}
      </ol>
      <div className="seg-group-actions">
        <button type="button" className="button button-secondary button-sm" disabled={full} onClick={() => onChange({ ...group, items: [...group.items, emptyCondition()] })} data-testid="segment-add-condition">
          {t('segmentRules.addCondition')}
        </button>
        <button
          type="button"
          className="button button-secondary button-sm"
          disabled={full || depth >= maxDepth}
          title={depth >= maxDepth ? t('segmentRules.maxDepth', { max: maxDepth }) : undefined}
          onClick={() => onChange({ ...group, items: [...group.items, emptyGroup(group.mode === 'all' ? 'any' : 'all', [emptyCondition()])] })}
          data-testid="segment-add-group"
        >
          {t('segmentRules.addGroup')}
        </button>
        {full && <span className="muted small">{t('segmentRules.maxConditions', { max: maxConditions })}</span>}
      </div>
    </fieldset>
  );
}

function ConditionEditor({
  draft,
  onChange,
  onRemove,
  catalogue,
  selfId,
}: {
  draft: DraftCondition;
  onChange: (draft: DraftCondition) => void;
  onRemove: () => void;
  catalogue: Catalogue;
  selfId: string | undefined;
}) {
  const { t } = useI18n();
  const id = useId();
  const set = (patch: Partial<DraftCondition>) => onChange({ ...draft, ...patch });
  const subject = draft.subject;
  const operators = operatorsFor(subject, catalogue);
  const kind = valueKind(subject, catalogue);
  const operand = subject === 'tag' ? 'values' : subject.startsWith('field:') || subject.startsWith('attr:') ? operandOf(draft.op) : 'none';
  const attribute = subject.startsWith('attr:') ? catalogue.attributes.find((a) => a.key === subject.slice(5)) : undefined;
  const opLabel = (op: string): string => {
    if (subject === 'tag') return t(`segmentRules.tagOp.${op}` as MessageKey);
    if (subject.startsWith('consent:')) return t(`segmentRules.consentOp.${op}` as MessageKey);
    if (subject === 'activity') return t(`segmentRules.activityOp.${op}` as MessageKey);
    if (subject === 'segment') return t(`segmentRules.segmentOp.${op}` as MessageKey);
    return t(`segmentRules.op.${op}` as MessageKey);
  };
  const suggestions = subject === 'tag' ? catalogue.suggestions.tags : subject === 'field:point_of_sale' ? catalogue.suggestions.pointsOfSale : subject === 'field:language' ? catalogue.suggestions.languages : [];
  const inputType = kind === 'number' ? 'number' : kind === 'date' || kind === 'timestamp' ? 'date' : 'text';

  return (
    <div className="seg-condition" data-testid="segment-condition" data-subject={subject}>
      <div className="seg-condition-fields">
        <label className="visually-hidden" htmlFor={`${id}-subject`}>
          {t('segmentRules.field')}
        </label>
        <select
          id={`${id}-subject`}
          value={subject}
          onChange={(e) => {
            const next = e.target.value;
            const { op, days } = defaultOperator(next, catalogue);
            onChange({ ...emptyCondition(), key: draft.key, subject: next, op, days });
          }}
          data-testid="segment-condition-subject"
        >
          <option value="">{t('segmentRules.pickField')}</option>
          <optgroup label={t('segmentRules.groupContact')}>
            {catalogue.fields.map((f) => (
              <option key={f.field} value={`field:${f.field}`}>
                {t(`segmentRules.field.${f.field}` as MessageKey)}
              </option>
            ))}
          </optgroup>
          <optgroup label={t('segmentRules.groupTags')}>
            <option value="tag">{t('segmentRules.tags')}</option>
          </optgroup>
          {catalogue.attributes.length > 0 && (
            <optgroup label={t('segmentRules.groupAttributes')}>
              {catalogue.attributes.map((a) => (
                <option key={a.key} value={`attr:${a.key}`}>
                  {a.label}
                </option>
              ))}
            </optgroup>
          )}
          <optgroup label={t('segmentRules.groupConsent')}>
            {catalogue.channels.map((c) => (
              <option key={c} value={`consent:${c}`}>
                {t('segmentRules.consentOn', { channel: channelLabel(t, c) })}
              </option>
            ))}
          </optgroup>
          <optgroup label={t('segmentRules.groupActivity')}>
            <option value="activity">{t('segmentRules.activityKind')}</option>
          </optgroup>
          <optgroup label={t('segmentRules.groupMembership')}>
            <option value="segment">{t('segmentRules.membership')}</option>
          </optgroup>
        </select>

        {subject && (
          <>
            <label className="visually-hidden" htmlFor={`${id}-op`}>
              {t('segmentRules.operator')}
            </label>
            <select id={`${id}-op`} value={draft.op} onChange={(e) => set({ op: e.target.value, ...(operandOf(e.target.value) === 'days' && !draft.days ? { days: '30' } : {}) })} data-testid="segment-condition-op">
              {operators.map((op) => (
                <option key={op} value={op}>
                  {opLabel(op)}
                </option>
              ))}
            </select>
          </>
        )}

        {subject.startsWith('consent:') && (
          <>
            <label className="visually-hidden" htmlFor={`${id}-status`}>
              {t('segmentRules.value')}
            </label>
            <select id={`${id}-status`} value={draft.status} onChange={(e) => set({ status: e.target.value })} data-testid="segment-consent-status">
              {catalogue.consentStatuses.map((s) => (
                <option key={s} value={s}>
                  {t(`consentStatus.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </>
        )}

        {subject === 'segment' && (
          <>
            <label className="visually-hidden" htmlFor={`${id}-segment`}>
              {t('segmentRules.value')}
            </label>
            <select id={`${id}-segment`} value={draft.segmentId} onChange={(e) => set({ segmentId: e.target.value })} data-testid="segment-condition-segment">
              <option value="">{t('segmentRules.pickSegment')}</option>
              {catalogue.segments
                .filter((s) => s.id !== selfId)
                .map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name} ({t(s.kind === 'static' ? 'segments.kind.static' : 'segments.kind.dynamic')})
                  </option>
                ))}
            </select>
          </>
        )}

        {subject === 'activity' && (
          <>
            <label className="visually-hidden" htmlFor={`${id}-kind`}>
              {t('segmentRules.activityKind')}
            </label>
            <select id={`${id}-kind`} value={draft.activityKind} onChange={(e) => set({ activityKind: e.target.value })} data-testid="segment-activity-kind">
              {catalogue.activityKinds.map((k) => (
                <option key={k} value={k}>
                  {t(`segmentRules.activity.${k}` as MessageKey)}
                </option>
              ))}
            </select>
          </>
        )}

        {operand === 'values' && kind === 'choice' && attribute?.choices ? (
          <fieldset className="seg-choices" data-testid="segment-condition-choices">
            <legend className="visually-hidden">{t('segmentRules.values')}</legend>
            {attribute.choices.map((choice) => {
              const selected = list(draft.values);
              const on = selected.includes(choice);
              return (
                <label key={choice} className="seg-choice">
                  <input type="checkbox" checked={on} onChange={() => set({ values: (on ? selected.filter((c) => c !== choice) : [...selected, choice]).join(', ') })} />
                  {choice}
                </label>
              );
            })}
          </fieldset>
        ) : operand === 'values' ? (
          <>
            <label className="visually-hidden" htmlFor={`${id}-values`}>
              {t('segmentRules.values')}
            </label>
            <input
              id={`${id}-values`}
              type="text"
              className="seg-grow"
              value={draft.values}
              placeholder={t('segmentRules.valuesHint')}
              list={suggestions.length ? `${id}-suggestions` : undefined}
              onChange={(e) => set({ values: e.target.value })}
              data-testid="segment-condition-values"
            />
            {suggestions.length > 0 && (
              <datalist id={`${id}-suggestions`}>
                {suggestions.map((s) => (
                  <option key={s} value={s} />
                ))}
              </datalist>
            )}
          </>
        ) : null}

        {(operand === 'value' || operand === 'range') && (
          <>
            <label className="visually-hidden" htmlFor={`${id}-value`}>
              {t('segmentRules.value')}
            </label>
            <input id={`${id}-value`} type={inputType} step={kind === 'number' ? 'any' : undefined} value={draft.value} onChange={(e) => set({ value: e.target.value })} data-testid="segment-condition-value" />
          </>
        )}
        {operand === 'range' && (
          <>
            <span className="seg-word">{t('segmentRules.valueTo')}</span>
            <label className="visually-hidden" htmlFor={`${id}-to`}>
              {t('segmentRules.value')}
            </label>
            <input id={`${id}-to`} type={inputType} step={kind === 'number' ? 'any' : undefined} value={draft.to} onChange={(e) => set({ to: e.target.value })} data-testid="segment-condition-to" />
          </>
        )}
        {operand === 'days' && (
          <>
            <label className="visually-hidden" htmlFor={`${id}-days`}>
              {t('segmentRules.daysLabel')}
            </label>
            <input id={`${id}-days`} type="number" min={0} step={1} className="seg-narrow" value={draft.days} onChange={(e) => set({ days: e.target.value })} data-testid="segment-condition-days" />
            <span className="seg-word">{t('segmentRules.days')}</span>
          </>
        )}

        <button type="button" className="button button-secondary button-sm seg-remove" onClick={onRemove} aria-label={t('segmentRules.removeCondition')} title={t('segmentRules.removeCondition')} data-testid="segment-condition-remove">
          ×
        </button>
      </div>

      {subject === 'activity' && (
        <div className="seg-condition-options">
          <label>
            <span>{t('segmentRules.withinDays')}</span>
            <input type="number" min={1} step={1} className="seg-narrow" value={draft.withinDays} onChange={(e) => set({ withinDays: e.target.value })} placeholder="—" data-testid="segment-activity-within" />
          </label>
          <label>
            <span>{t('segmentRules.minCount')}</span>
            <input type="number" min={1} step={1} className="seg-narrow" value={draft.minCount} onChange={(e) => set({ minCount: e.target.value })} placeholder="1" data-testid="segment-activity-min" />
          </label>
          <label>
            <span>{t('segmentRules.channel')}</span>
            <select value={draft.channel} onChange={(e) => set({ channel: e.target.value })} data-testid="segment-activity-channel">
              <option value="">{t('segmentRules.anyChannel')}</option>
              {catalogue.channels.map((c) => (
                <option key={c} value={c}>
                  {channelLabel(t, c)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('segmentRules.campaign')}</span>
            <input type="text" spellCheck={false} value={draft.campaignId} onChange={(e) => set({ campaignId: e.target.value })} placeholder={t('segmentRules.campaignHint')} data-testid="segment-activity-campaign" />
          </label>
        </div>
      )}
    </div>
  );
}
