import type { HTMLAttributes, ReactNode } from 'react';
import { cn } from './cn';

export interface CardProps extends Omit<HTMLAttributes<HTMLElement>, 'title'> {
  title?: ReactNode;
  description?: ReactNode;
  /** Right-aligned header content, e.g. a Badge or a button. */
  actions?: ReactNode;
  footer?: ReactNode;
  /** Heading level of the title, so cards fit the page's outline. */
  headingLevel?: 2 | 3;
}

export function Card({
  title,
  description,
  actions,
  footer,
  headingLevel = 2,
  className,
  children,
  ...rest
}: CardProps) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className={cn('rounded-lg border border-gray-200 bg-white shadow-sm', className)} {...rest}>
      {title || description || actions ? (
        <header className="flex flex-wrap items-start justify-between gap-3 border-b border-gray-200 px-5 py-4 sm:px-6">
          <div className="min-w-0 space-y-1">
            {title ? <Heading className="text-base font-semibold text-gray-900">{title}</Heading> : null}
            {description ? <p className="text-sm text-gray-600">{description}</p> : null}
          </div>
          {actions ? <div className="flex shrink-0 items-center gap-2">{actions}</div> : null}
        </header>
      ) : null}
      <div className="px-5 py-5 sm:px-6">{children}</div>
      {footer ? (
        <footer className="flex flex-wrap items-center justify-end gap-3 rounded-b-lg border-t border-gray-200 bg-gray-50 px-5 py-3 sm:px-6">
          {footer}
        </footer>
      ) : null}
    </section>
  );
}
