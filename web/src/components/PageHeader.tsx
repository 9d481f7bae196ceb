import { type ReactNode, useEffect, useRef } from 'react';
import { consumeNavigationFocus } from '../router';

/**
 * The page's h1. It takes focus after in-app navigation so keyboard and screen-reader users
 * land on the new content, and it names the browser tab.
 */
export function PageHeader({
  title,
  description,
  actions,
  eyebrow,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  eyebrow?: ReactNode;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · SOFY`;
  }, [title]);
  useEffect(() => {
    // Only after an in-app navigation, not on the first load.
    if (consumeNavigationFocus()) ref.current?.focus();
  }, []);
  return (
    <header className="page-header">
      <div className="page-header-text">
        {eyebrow && <div className="page-eyebrow">{eyebrow}</div>}
        <h1 ref={ref} tabIndex={-1} className="page-title">
          {title}
        </h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}
