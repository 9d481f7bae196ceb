import { type ReactNode, useEffect } from 'react';
import { Menu } from '../components/Menu';
import { useI18n, type MessageKey } from '../i18n';
import { initials, roleLabel } from '../labels';
import { ComingSoonPage, type ProductArea } from '../pages/ComingSoonPage';
import { BillingPage } from '../pages/billing/BillingPage';
import { MESSAGING_TABS, MessagingPage } from '../pages/messaging/MessagingPage';
import { SOREACH_NAV, soreachRoute } from '../pages/soreach/routes';
import { ForbiddenPage, NotFoundPage } from '../pages/NotFoundPage';
import { PermissionsProvider, usePermissions } from '../permissions';
import { Loading } from '../components/Feedback';
import {
  OPERATOR_BILLING_TABS,
  OperatorBillingPage,
} from '../pages/operator/billing/OperatorBillingPage';
import { TenantDetailPage } from '../pages/operator/TenantDetailPage';
import { TenantsPage } from '../pages/operator/TenantsPage';
import { ApiKeysPage } from '../pages/settings/ApiKeysPage';
import { AuditPage } from '../pages/settings/AuditPage';
import { OrganisationPage } from '../pages/settings/OrganisationPage';
import { RolesPage } from '../pages/settings/RolesPage';
import { UsersPage } from '../pages/settings/UsersPage';
import { Link, matchPath, navigate, usePath } from '../router';
import { useSession } from '../session';
import type { SessionUser } from '../types';
import { LanguageSwitch } from './LanguageSwitch';

interface NavItem {
  to: string;
  label: MessageKey;
  testId: string;
  icon: ReactNode;
  /** Hidden without it (a hint only: the API checks every call). */
  permission?: string;
}

const icon = (d: string) => (
  <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
    <path
      d={d}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  </svg>
);

const billingIcon = icon('M6 3h12v18l-3-2-3 2-3-2-3 2V3zM9 8h6M9 12h6');

const PRODUCTS: (NavItem & { area?: ProductArea })[] = [
  {
    area: 'soreach',
    to: '/soreach',
    label: 'nav.soreach',
    testId: 'nav-soreach',
    icon: icon('M3 11l18-7-7 18-2-8-9-3z'),
  },
  {
    area: 'soconnect',
    to: '/soconnect',
    label: 'nav.soconnect',
    testId: 'nav-soconnect',
    icon: icon('M4 5h16v11H8l-4 4V5z'),
  },
  {
    area: 'soview',
    to: '/soview',
    label: 'nav.soview',
    testId: 'nav-soview',
    icon: icon(
      'M12 21s-7-6.2-7-11.5A7 7 0 0 1 19 9.5C19 14.8 12 21 12 21zM12 12a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
    ),
  },
  {
    to: '/messaging',
    label: 'nav.messaging',
    testId: 'nav-messaging',
    icon: icon('M4 6h16v12H4zM4 7l8 6 8-6'),
  },
  {
    to: '/billing',
    label: 'nav.billing',
    testId: 'nav-billing',
    icon: billingIcon,
    // R-CONFID: contracts, tariffs and invoices are for owners and admins only.
    permission: 'tariffs:read',
  },
];

const SETTINGS: NavItem[] = [
  {
    to: '/settings/users',
    label: 'nav.users',
    testId: 'nav-settings-users',
    icon: null,
    permission: 'users:read',
  },
  { to: '/settings/roles', label: 'nav.roles', testId: 'nav-settings-roles', icon: null },
  {
    to: '/settings/api-keys',
    label: 'nav.apiKeys',
    testId: 'nav-settings-api-keys',
    icon: null,
    permission: 'apikeys:read',
  },
  {
    to: '/settings/audit',
    label: 'nav.audit',
    testId: 'nav-settings-audit',
    icon: null,
    permission: 'audit:read',
  },
  {
    to: '/settings/organisation',
    label: 'nav.organisation',
    testId: 'nav-settings-organisation',
    icon: null,
    permission: 'tenant:read',
  },
];

const settingsIcon = icon(
  'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z',
);
const operatorIcon = icon('M4 21V8l8-5 8 5v13M9 21v-6h6v6');

/** Where "/" leads: the first product area for client users, the tenant list for operators. */
export function homePath(user: SessionUser): string {
  if (user.tenantId) return '/soreach';
  if (user.operator) return '/operator/tenants';
  return '/settings/users';
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** The first settings page this user may see ("Roles" is open to everyone). */
function firstSetting(can: (p: string) => boolean): string {
  return SETTINGS.find((s) => !s.permission || can(s.permission))?.to ?? '/settings/roles';
}

function isConsolePath(path: string): boolean {
  return (
    PRODUCTS.some((p) => p.to === path) ||
    path.startsWith('/messaging/') ||
    path.startsWith('/soreach/') ||
    path === '/settings' ||
    SETTINGS.some((s) => s.to === path) ||
    path === '/operator' ||
    path.startsWith('/operator/')
  );
}

function renderRoute(path: string, user: SessionUser, can: (p: string) => boolean): ReactNode {
  const tenant = Boolean(user.tenantId);
  if (path === '/' || path === '') return <Redirect to={homePath(user)} />;
  if (tenant) {
    const tab = MESSAGING_TABS.find((m) => m.path === path);
    if (tab) return <MessagingPage tab={tab.id} />;
    if (path === '/billing') {
      return can('billing:read') && can('tariffs:read') ? (
        <BillingPage />
      ) : (
        <ForbiddenPage home={homePath(user)} />
      );
    }
    const soreach = soreachRoute(path);
    if (soreach) return soreach;
    const product = PRODUCTS.find((p) => p.to === path);
    if (product?.area) return <ComingSoonPage area={product.area} />;
    const setting = SETTINGS.find((s) => s.to === path);
    if (setting?.permission && !can(setting.permission))
      return <ForbiddenPage home={homePath(user)} />;
    switch (path) {
      case '/settings':
        return <Redirect to={firstSetting(can)} />;
      case '/settings/users':
        return <UsersPage />;
      case '/settings/roles':
        return <RolesPage />;
      case '/settings/api-keys':
        return <ApiKeysPage />;
      case '/settings/audit':
        return <AuditPage />;
      case '/settings/organisation':
        return <OrganisationPage />;
      default:
        break;
    }
  }
  if (user.operator) {
    if (path.startsWith('/operator') && !can('tenants:read')) {
      return <ForbiddenPage home={homePath(user)} />;
    }
    if (path === '/operator') return <Redirect to="/operator/tenants" />;
    if (path === '/operator/tenants') return <TenantsPage />;
    const match = matchPath('/operator/tenants/:id', path);
    if (match?.id) return <TenantDetailPage key={match.id} tenantId={match.id} />;
    const billingTab = OPERATOR_BILLING_TABS.find((x) => x.path === path);
    if (billingTab) {
      return can('billing:manage') ? (
        <OperatorBillingPage tab={billingTab.id} />
      ) : (
        <ForbiddenPage home={homePath(user)} />
      );
    }
  }
  // A page of the console that this account cannot see (e.g. left in the address bar by the
  // previous user): go home rather than show an error.
  if (isConsolePath(path)) return <Redirect to={homePath(user)} />;
  return <NotFoundPage home={homePath(user)} />;
}

function NavLink({
  item,
  path,
  nested = false,
  children,
}: {
  item: NavItem;
  path: string;
  nested?: boolean;
  /** A sub-list under the link (SoReach's pages). */
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const active = path === item.to || path.startsWith(`${item.to}/`);
  return (
    <li>
      <Link
        to={item.to}
        className={`nav-link${nested ? ' nav-link-nested' : ''}${active ? ' is-active' : ''}`}
        aria-current={active ? 'page' : undefined}
        data-testid={item.testId}
      >
        {item.icon}
        <span>{t(item.label)}</span>
      </Link>
      {children}
    </li>
  );
}

export function Shell() {
  return (
    <PermissionsProvider>
      <ShellLayout />
    </PermissionsProvider>
  );
}

function ShellLayout() {
  const { t } = useI18n();
  const { session, logout } = useSession();
  const { can, ready } = usePermissions();
  const path = usePath();
  const user = session.user as SessionUser;
  const isTenant = Boolean(user.tenantId);
  const inSettings = path.startsWith('/settings');

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('shell.skip')}
      </a>
      <header className="topbar">
        <Link
          to={homePath(user)}
          className="brand"
          aria-label={t('shell.home')}
          data-testid="brand"
        >
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">SOFY</span>
        </Link>
        <span className="topbar-divider" aria-hidden="true" />
        <span className="tenant-name" data-testid="tenant-name">
          {user.tenantName ?? (user.operator ? t('shell.operatorConsole') : '')}
        </span>
        <div className="topbar-right">
          <LanguageSwitch />
          <Menu
            label={t('shell.userMenu', { name: user.name || user.email })}
            testId="user-menu"
            buttonClassName="user-button"
            buttonContent={
              <>
                <span className="avatar" aria-hidden="true">
                  {initials(user.name, user.email)}
                </span>
                <span className="user-button-name">{user.name || user.email}</span>
                <span className="chevron" aria-hidden="true">
                  ▾
                </span>
              </>
            }
            header={
              <>
                <strong>{user.name}</strong>
                <span className="muted">{user.email}</span>
                <span className="muted">{roleLabel(t, user.role)}</span>
              </>
            }
            items={[{ label: t('shell.logout'), onSelect: () => void logout(), testId: 'logout' }]}
          />
        </div>
      </header>
      <div className="app-body">
        <nav className="sidebar" aria-label={t('nav.label')}>
          {isTenant && (
            <>
              <p className="nav-heading" id="nav-products">
                {t('nav.products')}
              </p>
              <ul className="nav-list" aria-labelledby="nav-products">
                {/* R-CONFID: a gated entry waits for the role's permissions rather than flashing. */}
                {PRODUCTS.filter((item) => !item.permission || (ready && can(item.permission))).map((item) => (
                  <NavLink key={item.to} item={item} path={path}>
                    {item.area === 'soreach' && (
                      <ul className="nav-sublist" aria-label={t('nav.soreach')}>
                        {SOREACH_NAV.filter((s) => !s.permission || can(s.permission)).map((s) => (
                          <NavLink key={s.to} item={{ ...s, icon: null }} path={path} nested />
                        ))}
                      </ul>
                    )}
                  </NavLink>
                ))}
              </ul>
              <ul className="nav-list nav-list-settings">
                <li>
                  <Link
                    to={firstSetting(can)}
                    className={`nav-link${inSettings ? ' is-section' : ''}`}
                    data-testid="nav-settings"
                  >
                    {settingsIcon}
                    <span>{t('nav.settings')}</span>
                  </Link>
                  <ul className="nav-sublist" aria-label={t('nav.settings')}>
                    {SETTINGS.filter((item) => !item.permission || can(item.permission)).map(
                      (item) => (
                        <NavLink key={item.to} item={item} path={path} nested />
                      ),
                    )}
                  </ul>
                </li>
              </ul>
            </>
          )}
          {user.operator && can('tenants:read') && (
            <>
              <p className="nav-heading" id="nav-operator">
                {t('nav.sofy')}
              </p>
              <ul className="nav-list" aria-labelledby="nav-operator">
                <NavLink
                  item={{
                    to: '/operator/tenants',
                    label: 'nav.operator',
                    testId: 'nav-operator',
                    icon: operatorIcon,
                  }}
                  path={path}
                />
                {ready && can('billing:manage') && (
                  <NavLink
                    item={{
                      to: '/operator/billing',
                      label: 'billing.op.nav',
                      testId: 'nav-operator-billing',
                      icon: billingIcon,
                    }}
                    path={path}
                  />
                )}
              </ul>
            </>
          )}
        </nav>
        {/* The messaging tabs are one page: switching tabs keeps it (and the focus) in place. */}
        <main
          className="main"
          id="main"
          tabIndex={-1}
          key={
            path.startsWith('/messaging/')
              ? '/messaging'
              : path.startsWith('/operator/billing')
                ? '/operator/billing'
                : path
          }
        >
          {ready ? renderRoute(path, user, can) : <Loading />}
        </main>
      </div>
    </div>
  );
}
