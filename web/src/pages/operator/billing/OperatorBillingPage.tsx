import { PageHeader } from '../../../components/PageHeader';
import { type MessageKey, useI18n } from '../../../i18n';
import { Link } from '../../../router';
import '../../billing/billing.css';
import { ContractsTab } from './ContractsTab';
import { DunningTab } from './DunningTab';
import { InvoicesTab } from './InvoicesTab';
import { OrderFormsTab } from './OrderFormsTab';
import { OverviewTab } from './OverviewTab';
import { PaymentsTab } from './PaymentsTab';
import { RunsTab } from './RunsTab';
import { SepaTab } from './SepaTab';
import { TablesTab } from './TablesTab';

export type OperatorBillingTab =
  | 'overview'
  | 'order-forms'
  | 'contracts'
  | 'runs'
  | 'invoices'
  | 'payments'
  | 'sepa'
  | 'dunning'
  | 'tables';

/** The workspace's tabs, each at its own address (bookmarks, Back button). */
export const OPERATOR_BILLING_TABS: { id: OperatorBillingTab; path: string; label: MessageKey }[] =
  [
    { id: 'overview', path: '/operator/billing', label: 'billing.op.tabOverview' },
    { id: 'order-forms', path: '/operator/billing/order-forms', label: 'billing.op.tabOrderForms' },
    { id: 'contracts', path: '/operator/billing/contracts', label: 'billing.op.tabContracts' },
    { id: 'runs', path: '/operator/billing/runs', label: 'billing.op.tabRuns' },
    { id: 'invoices', path: '/operator/billing/invoices', label: 'billing.op.tabInvoices' },
    { id: 'payments', path: '/operator/billing/payments', label: 'billing.op.tabPayments' },
    { id: 'sepa', path: '/operator/billing/sepa', label: 'billing.op.tabSepa' },
    { id: 'dunning', path: '/operator/billing/dunning', label: 'billing.op.tabDunning' },
    { id: 'tables', path: '/operator/billing/tables', label: 'billing.op.tabTables' },
  ];

/** SOFY's billing workspace (sofy_billing, sofy_admin: `billing:manage`). */
export function OperatorBillingPage({ tab }: { tab: OperatorBillingTab }) {
  const { t } = useI18n();
  return (
    <div className="billing-page" data-testid="op-billing">
      <PageHeader
        eyebrow={t('nav.sofy')}
        title={t('billing.op.title')}
        description={t('billing.op.description')}
      />
      <nav className="tabs billing-tabs" aria-label={t('billing.op.tabs')}>
        <ul className="tabs-list">
          {OPERATOR_BILLING_TABS.map((x) => (
            <li key={x.id}>
              <Link
                to={x.path}
                className={`tab${x.id === tab ? ' is-active' : ''}`}
                aria-current={x.id === tab ? 'page' : undefined}
                data-testid={`op-billing-tab-${x.id}`}
              >
                {t(x.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="tab-panel" data-testid={`op-billing-panel-${tab}`}>
        {tab === 'overview' && <OverviewTab />}
        {tab === 'order-forms' && <OrderFormsTab />}
        {tab === 'contracts' && <ContractsTab />}
        {tab === 'runs' && <RunsTab />}
        {tab === 'invoices' && <InvoicesTab />}
        {tab === 'payments' && <PaymentsTab />}
        {tab === 'sepa' && <SepaTab />}
        {tab === 'dunning' && <DunningTab />}
        {tab === 'tables' && <TablesTab />}
      </div>
    </div>
  );
}
