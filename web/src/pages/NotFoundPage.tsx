import { EmptyState } from '../components/Feedback';
import { PageHeader } from '../components/PageHeader';
import { useI18n } from '../i18n';
import { Link } from '../router';

export function NotFoundPage({ home }: { home: string }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('notFound.title')} />
      <section className="card">
        <EmptyState
          title={t('notFound.heading')}
          testId="not-found"
          action={
            <Link to={home} className="button button-primary">
              {t('notFound.home')}
            </Link>
          }
        >
          <p>{t('notFound.text')}</p>
        </EmptyState>
      </section>
    </>
  );
}

/** A console page this account's role does not include. */
export function ForbiddenPage({ home }: { home: string }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('forbidden.title')} />
      <section className="card">
        <EmptyState
          title={t('forbidden.heading')}
          testId="forbidden"
          action={
            <Link to={home} className="button button-primary">
              {t('notFound.home')}
            </Link>
          }
        >
          <p>{t('forbidden.text')}</p>
        </EmptyState>
      </section>
    </>
  );
}
