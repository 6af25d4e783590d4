import type { ReactNode } from 'react';
import { cn } from './cn';

export type AlertTone = 'info' | 'success' | 'error' | 'warning';

const tones: Record<AlertTone, { box: string; icon: string; glyph: string }> = {
  info: { box: 'border-sky-200 bg-sky-50 text-sky-900', icon: 'text-sky-600', glyph: 'i' },
  success: { box: 'border-emerald-200 bg-emerald-50 text-emerald-900', icon: 'text-emerald-600', glyph: '✓' },
  warning: { box: 'border-amber-200 bg-amber-50 text-amber-900', icon: 'text-amber-600', glyph: '!' },
  error: { box: 'border-red-200 bg-red-50 text-red-900', icon: 'text-red-600', glyph: '!' },
};

/** Errors interrupt (role=alert); successes are announced politely (role=status); the rest are plain text. */
const roles: Record<AlertTone, 'alert' | 'status' | undefined> = {
  error: 'alert',
  success: 'status',
  info: undefined,
  warning: undefined,
};

export interface AlertProps {
  tone?: AlertTone;
  title?: ReactNode;
  children?: ReactNode;
  className?: string;
  id?: string;
  /** -1 when the page moves focus to the message (e.g. after a save), so it is read out and in view. */
  tabIndex?: number;
}

export function Alert({ tone = 'info', title, children, className, id, tabIndex }: AlertProps) {
  const t = tones[tone];
  return (
    <div
      id={id}
      tabIndex={tabIndex}
      role={roles[tone]}
      className={cn('flex gap-3 rounded-md border px-4 py-3 text-sm', t.box, className)}
    >
      <span
        aria-hidden="true"
        className={cn(
          'mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full border border-current text-xs font-bold',
          t.icon,
        )}
      >
        {t.glyph}
      </span>
      <div className="min-w-0 space-y-1 break-words">
        {title ? <p className="font-semibold">{title}</p> : null}
        {children ? <div>{children}</div> : null}
      </div>
    </div>
  );
}
