import { cn } from './cn';
import { CopyButton } from './copy-button';

export interface CodeValueProps {
  value: string;
  /** Accessible name of the copy button, e.g. "Copy callback URL". Omit to render without copy. */
  copyLabel?: string;
  /** Visible text of the copy button. */
  copyText?: string;
  id?: string;
  className?: string;
}

/** A monospace value that wraps anywhere (long URLs and keys must not overflow on phones). */
export function CodeValue({ value, copyLabel, copyText = 'Copy', id, className }: CodeValueProps) {
  return (
    <div className={cn('flex flex-col gap-2 sm:flex-row sm:items-center', className)}>
      <code
        id={id}
        className="block min-w-0 flex-1 rounded-md border border-gray-200 bg-gray-50 px-3 py-2 font-mono text-sm break-all text-gray-900 select-all"
      >
        {value}
      </code>
      {copyLabel !== undefined ? (
        <CopyButton text={value} label={copyLabel}>
          {copyText}
        </CopyButton>
      ) : null}
    </div>
  );
}
