import { EmptyState } from '../components/Feedback';
import { PageHeader } from '../components/PageHeader';
import { type MessageKey, useI18n } from '../i18n';

export type ProductArea = 'soreach' | 'soconnect' | 'soview' | 'billing';

const areas: Record<
  ProductArea,
  { title: MessageKey; tagline: MessageKey; text: MessageKey; icon: string }
> = {
  soreach: {
    title: 'nav.soreach',
    tagline: 'soon.soreach.tagline',
    text: 'soon.soreach.text',
    icon: '📣',
  },
  soconnect: {
    title: 'nav.soconnect',
    tagline: 'soon.soconnect.tagline',
    text: 'soon.soconnect.text',
    icon: '💬',
  },
  soview: {
    title: 'nav.soview',
    tagline: 'soon.soview.tagline',
    text: 'soon.soview.text',
    icon: '📍',
  },
  billing: {
    title: 'nav.billing',
    tagline: 'soon.billing.tagline',
    text: 'soon.billing.text',
    icon: '🧾',
  },
};

/** Product areas that are still to come: a clean empty state, no fake data. */
export function ComingSoonPage({ area }: { area: ProductArea }) {
  const { t } = useI18n();
  const def = areas[area];
  return (
    <>
      <PageHeader title={t(def.title)} description={t(def.tagline)} />
      <section className="card">
        <EmptyState icon={def.icon} title={t('soon.title')} testId={`coming-soon-${area}`}>
          <p>{t(def.text)}</p>
        </EmptyState>
      </section>
    </>
  );
}
