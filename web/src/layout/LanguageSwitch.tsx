import { LOCALES, useI18n } from '../i18n';

/** Two toggle buttons, FR / EN; the pressed one is the current language. */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <fieldset className="lang-switch" data-testid="lang-switch">
      <legend className="visually-hidden">{t('lang.label')}</legend>
      {LOCALES.map((l) => (
        <button
          key={l}
          type="button"
          lang={l}
          className="lang-option"
          aria-pressed={locale === l}
          aria-label={l === 'fr' ? 'Français' : 'English'}
          onClick={() => setLocale(l)}
          data-testid={`lang-${l}`}
        >
          {l.toUpperCase()}
        </button>
      ))}
    </fieldset>
  );
}
