import { Fragment, useState } from 'react';
import { useI18n } from '../i18n';
import { actorTypeLabel } from '../labels';
import type { AuditEntry } from '../types';

function shortId(id: string | null | undefined): string {
  if (!id) return '';
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

/** Audit entries, newest first; each row expands to its summary JSON and chain hash. */
export function AuditTable({
  entries,
  testId = 'audit-table',
}: {
  entries: AuditEntry[];
  testId?: string;
}) {
  const { t, formatDateTime } = useI18n();
  const [open, setOpen] = useState<Set<string>>(() => new Set());

  const toggle = (id: string) =>
    setOpen((set) => {
      const next = new Set(set);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="table-wrap">
      <table className="table table-audit" data-testid={testId}>
        <caption className="visually-hidden">{t('audit.title')}</caption>
        <thead>
          <tr>
            <th scope="col" className="cell-toggle">
              <span className="visually-hidden">{t('audit.details')}</span>
            </th>
            <th scope="col">{t('audit.time')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.target')}</th>
            <th scope="col">{t('audit.ip')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => {
            const expanded = open.has(entry.id);
            const detailsId = `audit-details-${entry.id}`;
            return (
              <Fragment key={entry.id}>
                <tr
                  data-testid="audit-row"
                  data-action={entry.action}
                  className={expanded ? 'is-expanded' : undefined}
                >
                  <td className="cell-toggle">
                    <button
                      type="button"
                      className="icon-button"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailsId : undefined}
                      aria-label={t('audit.toggle', {
                        action: entry.action,
                        time: formatDateTime(entry.at),
                      })}
                      onClick={() => toggle(entry.id)}
                      data-testid="audit-expand"
                    >
                      <span
                        aria-hidden="true"
                        className={`disclosure${expanded ? ' is-open' : ''}`}
                      >
                        ▸
                      </span>
                    </button>
                  </td>
                  <td className="cell-nowrap">
                    <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                  </td>
                  <td>
                    <div>{entry.actor.label ?? shortId(entry.actor.id)}</div>
                    <div className="muted small">{actorTypeLabel(t, entry.actor.type)}</div>
                  </td>
                  <td>
                    <code className="action-code">{entry.action}</code>
                  </td>
                  <td>
                    {entry.target ? (
                      <>
                        <div>{entry.target.type}</div>
                        <div className="muted small" title={entry.target.id ?? undefined}>
                          <code>{shortId(entry.target.id)}</code>
                        </div>
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>{entry.ip ? <code>{entry.ip}</code> : <span className="muted">—</span>}</td>
                </tr>
                {expanded && (
                  <tr className="details-row">
                    <td colSpan={6} id={detailsId} data-testid="audit-details">
                      <div className="details-grid">
                        <div>
                          <h3 className="details-title">{t('audit.summary')}</h3>
                          <pre className="code-block" data-testid="audit-summary">
                            {JSON.stringify(entry.summary ?? {}, null, 2)}
                          </pre>
                        </div>
                        <dl className="details-meta">
                          <dt>{t('audit.seq')}</dt>
                          <dd>
                            <code>{String(entry.seq)}</code>
                          </dd>
                          <dt>{t('audit.hash')}</dt>
                          <dd>
                            <code className="hash" data-testid="audit-hash">
                              {entry.hash}
                            </code>
                          </dd>
                          {entry.actor.id && (
                            <>
                              <dt>{t('audit.actorId')}</dt>
                              <dd>
                                <code>{entry.actor.id}</code>
                              </dd>
                            </>
                          )}
                          {entry.target?.id && (
                            <>
                              <dt>{t('audit.targetId')}</dt>
                              <dd>
                                <code>{entry.target.id}</code>
                              </dd>
                            </>
                          )}
                        </dl>
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
