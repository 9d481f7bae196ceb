import type { MessageKey, Translate } from '../../i18n';
import type { ImportStatus } from './import-api';

const TONES: Record<ImportStatus, string> = {
  uploading: 'neutral',
  uploaded: 'info',
  queued: 'neutral',
  running: 'info',
  completed: 'success',
  failed: 'danger',
  cancelled: 'warning',
};

export function ImportStatusBadge({ t, status }: { t: Translate; status: ImportStatus }) {
  return (
    <span className={`badge badge-${TONES[status] ?? 'neutral'}`} data-testid="import-status" data-status={status}>
      {t(`imports.status.${status}` as MessageKey)}
    </span>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} o`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} Ko`;
  return `${(bytes / 1024 / 1024).toFixed(1)} Mo`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
