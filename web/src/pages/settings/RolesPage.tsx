import { api } from '../../api';
import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { useAsync } from '../../hooks';
import { useI18n } from '../../i18n';
import { roleLabel, scopeDescription } from '../../labels';
import { useSession } from '../../session';
import type { RoleDefinition } from '../../types';

function Matrix({
  roles,
  caption,
  testId,
}: {
  roles: RoleDefinition[];
  caption: string;
  testId: string;
}) {
  const { t } = useI18n();
  const permissions = Array.from(new Set(roles.flatMap((r) => r.permissions))).sort();
  if (permissions.length === 0) return <EmptyState title={t('roles.empty')} />;
  return (
    <div className="table-wrap">
      <table className="table table-matrix" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('roles.permission')}</th>
            {roles.map((r) => (
              <th scope="col" key={r.role} className="cell-center" data-role={r.role}>
                {roleLabel(t, r.role)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {permissions.map((permission) => (
            <tr key={permission}>
              <th scope="row">
                <code>{permission}</code>
              </th>
              {roles.map((r) => {
                const granted = r.permissions.includes(permission);
                return (
                  <td key={r.role} className="cell-center" data-granted={granted}>
                    {granted ? (
                      <span className="check" role="img" aria-label={t('roles.granted')}>
                        ✓
                      </span>
                    ) : (
                      <span className="dash" role="img" aria-label={t('roles.notGranted')}>
                        –
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RolesPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const catalogue = useAsync(() => api.roles(), []);
  const data = catalogue.data;

  return (
    <>
      <PageHeader
        eyebrow={t('nav.settings')}
        title={t('roles.title')}
        description={t('roles.description')}
      />
      {catalogue.loading ? (
        <section className="card">
          <Loading />
        </section>
      ) : catalogue.error ? (
        <ErrorBanner error={catalogue.error} onRetry={catalogue.reload} />
      ) : data ? (
        <>
          <section className="card card-flush" aria-labelledby="roles-matrix-title">
            <h2 className="card-title card-pad" id="roles-matrix-title">
              {t('roles.matrix')}
            </h2>
            <Matrix roles={data.roles} caption={t('roles.matrix')} testId="roles-matrix" />
          </section>
          {session.user?.operator && data.operatorRoles.length > 0 && (
            <section className="card card-flush" aria-labelledby="operator-roles-title">
              <h2 className="card-title card-pad" id="operator-roles-title">
                {t('roles.operatorMatrix')}
              </h2>
              <Matrix
                roles={data.operatorRoles}
                caption={t('roles.operatorMatrix')}
                testId="operator-roles-matrix"
              />
            </section>
          )}
          {data.scopes.length > 0 && (
            <section className="card" aria-labelledby="scopes-title">
              <h2 className="card-title" id="scopes-title">
                {t('roles.scopes')}
              </h2>
              <p className="muted">{t('roles.scopesText')}</p>
              <dl className="scope-list">
                {data.scopes.map((scope) => (
                  <div key={scope}>
                    <dt>
                      <code>{scope}</code>
                    </dt>
                    <dd>{scopeDescription(t, scope) ?? ''}</dd>
                  </div>
                ))}
              </dl>
            </section>
          )}
        </>
      ) : null}
    </>
  );
}
