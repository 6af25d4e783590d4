'use client';

import { useEffect, useRef, useState } from 'react';
import { Button, type ButtonSize, type ButtonVariant } from './button';

/**
 * Copies via the async Clipboard API, falling back to a hidden textarea where that API is
 * missing (plain-http origins other than localhost are not "secure contexts").
 */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path (e.g. permission denied in an iframe)
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

export interface CopyButtonProps {
  text: string;
  /** Accessible name, e.g. "Copy callback URL". Defaults to the visible text. */
  label?: string;
  /** Visible text; defaults to "Copy". */
  children?: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  className?: string;
}

export function CopyButton({
  text,
  label,
  children = 'Copy',
  variant = 'secondary',
  size = 'sm',
  className,
}: CopyButtonProps) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  async function onClick() {
    const ok = await copyText(text);
    setStatus(ok ? 'copied' : 'failed');
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setStatus('idle'), 2000);
  }

  return (
    <span className="inline-flex items-center gap-2">
      <Button variant={variant} size={size} onClick={onClick} aria-label={label} className={className}>
        {/* Both labels occupy the same grid cell so the button keeps its width when the text changes. */}
        <span className="grid">
          <span className={status === 'copied' ? 'invisible col-start-1 row-start-1' : 'col-start-1 row-start-1'}>
            {children}
          </span>
          <span
            aria-hidden="true"
            className={status === 'copied' ? 'col-start-1 row-start-1' : 'invisible col-start-1 row-start-1'}
          >
            Copied
          </span>
        </span>
      </Button>
      <span aria-live="polite" className="sr-only">
        {status === 'copied'
          ? 'Copied'
          : status === 'failed'
            ? 'Copy failed; select the text and copy it manually'
            : ''}
      </span>
    </span>
  );
}
