import { type DragEvent, useRef, useState } from 'react';
import { ErrorBanner } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { Link, navigate } from '../../router';
import { importsApi } from './import-api';
import { formatSize } from './import-shared';
import './import.css';

/**
 * SoReach › Imports › New, step 1: the file, dropped on the zone or chosen with the button (the
 * zone is a label of the file input, so it works by keyboard too). The browser streams it to the
 * API, which answers with the preview; step 2 is the import's own page.
 */
export function ImportNewPage() {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [sending, setSending] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(null);

  const send = async (file: File | undefined) => {
    if (!file || sending) return;
    setSending(file);
    setError(null);
    try {
      const created = await importsApi.upload(file);
      navigate(`/soreach/imports/${created.id}`);
    } catch (e) {
      setError(e);
      setSending(null);
      if (input.current) input.current.value = '';
    }
  };
  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    void send(event.dataTransfer.files[0]);
  };

  return (
    <>
      <PageHeader eyebrow={<Link to="/soreach/imports">{t('imports.back')}</Link>} title={t('imports.upload.title')} description={t('imports.description')} />
      <section className="card card-pad" aria-labelledby="import-upload-step">
        <h2 id="import-upload-step" className="card-title">
          {t('imports.upload.step')}
        </h2>
        <ErrorBanner error={error} testId="import-upload-error" />
        <label
          htmlFor="import-file"
          className={`import-dropzone${dragging ? ' is-dragging' : ''}`}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          data-testid="import-dropzone"
          aria-busy={sending !== null}
        >
          <span className="import-dropzone-icon" aria-hidden="true">
            ⬆
          </span>
          {sending ? (
            <strong role="status">{t('imports.upload.sending', { name: sending.name })}</strong>
          ) : (
            <>
              <strong>{t('imports.upload.drop')}</strong>
              <span className="muted">{t('imports.upload.or')}</span>
              <span className="button button-secondary">{t('imports.upload.choose')}</span>
            </>
          )}
          <span className="field-hint">{t('imports.upload.hint')}</span>
          <input
            ref={input}
            id="import-file"
            className="visually-hidden"
            type="file"
            accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            disabled={sending !== null}
            onChange={(event) => void send(event.target.files?.[0])}
            data-testid="import-file"
          />
        </label>
        {sending && <p className="muted small">{t('imports.upload.chosen', { name: sending.name, size: formatSize(sending.size) })}</p>}
      </section>
    </>
  );
}
