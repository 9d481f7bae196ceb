import { useEffect, useState } from 'react';
import { api } from '../../api';
import { EmptyState, Loading } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { useAsync } from '../../hooks';
import { type MessageKey, useI18n } from '../../i18n';
import { usePermissions } from '../../permissions';
import { Link, navigate } from '../../router';
import type { MessageRoute } from '../../types';
import { MessageDetailDialog } from './MessageDetail';
import { MessagesTab } from './MessagesTab';
import { OptOutsTab } from './OptOutsTab';
import { RoutesTab } from './RoutesTab';
import { SandboxTab } from './SandboxTab';
import { SendersTab } from './SendersTab';
import { SendTestDialog } from './SendTestDialog';
import { WebhooksTab } from './WebhooksTab';
import { WhatsAppTemplatesTab } from './WhatsAppTemplatesTab';

export type MessagingTabId =
  | 'messages'
  | 'optouts'
  | 'webhooks'
  | 'senders'
  | 'templates'
  | 'routes'
  | 'sandbox';

/** Each tab has its own address, so that it can be bookmarked and the Back button works. */
export const MESSAGING_TABS: { id: MessagingTabId; path: string; label: MessageKey }[] = [
  { id: 'messages', path: '/messaging', label: 'messaging.tabMessages' },
  { id: 'optouts', path: '/messaging/opt-outs', label: 'messaging.tabOptOuts' },
  { id: 'webhooks', path: '/messaging/webhooks', label: 'messaging.tabWebhooks' },
  { id: 'senders', path: '/messaging/senders', label: 'messaging.tabSenders' },
  { id: 'templates', path: '/messaging/whatsapp-templates', label: 'messaging.tabTemplates' },
  { id: 'routes', path: '/messaging/routes', label: 'messaging.tabRoutes' },
  { id: 'sandbox', path: '/messaging/sandbox', label: 'messaging.tabSandbox' },
];

type SandboxState = 'unknown' | 'available' | 'absent';

/**
 * Messagerie: message log, opt-outs, webhooks, senders, routes and (in sandbox mode) the test
 * phones.
 */
export function MessagingPage({ tab }: { tab: MessagingTabId }) {
  const { t } = useI18n();
  const { can } = usePermissions();
  const canWebhooks = can('settings:manage');
  const routes: MessageRoute[] = [
    ...(can('messages:send:marketing') ? (['marketing'] as const) : []),
    ...(can('messages:send:alert') ? (['alert'] as const) : []),
  ];
  // The sandbox routes exist only when SOFY runs its simulators: the tab shows when they answer
  // (200) and stays hidden otherwise (404 outside the sandbox).
  const probe = useAsync(() => api.sandbox.phones(), []);
  const sandbox: SandboxState = probe.loading ? 'unknown' : probe.data ? 'available' : 'absent';

  const [sending, setSending] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);

  useEffect(() => {
    if (tab === 'sandbox' && sandbox === 'absent') navigate('/messaging', { replace: true });
  }, [tab, sandbox]);

  const visible = MESSAGING_TABS.filter(
    (x) => (x.id !== 'webhooks' || canWebhooks) && (x.id !== 'sandbox' || sandbox === 'available'),
  );

  return (
    <>
      <PageHeader
        title={t('messaging.title')}
        description={t('messaging.description')}
        actions={
          <>
            <a className="button button-secondary" href="/docs" data-testid="messaging-docs">
              {t('messaging.docs')}
            </a>
            {routes.length > 0 && (
              <button
                type="button"
                className="button button-primary"
                onClick={() => setSending(true)}
                data-testid="send-test-open"
              >
                {t('messages.sendTest')}
              </button>
            )}
          </>
        }
      />
      <nav className="tabs" aria-label={t('messaging.tabs')}>
        <ul className="tabs-list">
          {visible.map((x) => (
            <li key={x.id}>
              <Link
                to={x.path}
                className={`tab${x.id === tab ? ' is-active' : ''}`}
                aria-current={x.id === tab ? 'page' : undefined}
                data-testid={`messaging-tab-${x.id}`}
              >
                {t(x.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="tab-panel" data-testid={`messaging-panel-${tab}`}>
        {tab === 'messages' && <MessagesTab refreshKey={refreshKey} onOpen={setOpenId} />}
        {tab === 'optouts' && <OptOutsTab />}
        {tab === 'webhooks' &&
          (canWebhooks ? (
            <WebhooksTab />
          ) : (
            <section className="card">
              <EmptyState title={t('forbidden.heading')} testId="forbidden">
                <p>{t('forbidden.text')}</p>
              </EmptyState>
            </section>
          ))}
        {tab === 'senders' && <SendersTab />}
        {tab === 'templates' && <WhatsAppTemplatesTab />}
        {tab === 'routes' && <RoutesTab />}
        {tab === 'sandbox' && (sandbox === 'available' ? <SandboxTab /> : <Loading />)}
      </div>
      {sending && (
        <SendTestDialog
          routes={routes}
          onClose={() => setSending(false)}
          onSent={() => setRefreshKey((n) => n + 1)}
          onView={(id) => {
            setSending(false);
            setOpenId(id);
          }}
        />
      )}
      {openId && <MessageDetailDialog id={openId} onClose={() => setOpenId(null)} />}
    </>
  );
}
