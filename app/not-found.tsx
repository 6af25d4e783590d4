import { PlainProductMark, ShellFrame } from '@/components/app-shell/frame';
import { buttonClasses } from '@/components/ui/button';

/**
 * Part of the root layout, so every route loads its client references: it has none (ShellFrame,
 * plain links), which keeps next/link, Sign out and the ui barrel's client parts off routes that
 * do not use them.
 */
export default function NotFound() {
  return (
    <ShellFrame mark={<PlainProductMark />} width="narrow">
      <div className="space-y-4 py-10 text-center">
        <p className="text-sm font-semibold text-indigo-700">404</p>
        <h1 className="text-2xl font-semibold tracking-tight text-gray-900">Page not found</h1>
        <p className="text-sm text-gray-600">The address may be mistyped, or the page has moved.</p>
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- no next/link here (see above) */}
        <a href="/" className={buttonClasses('primary', 'md')}>
          Back to the console
        </a>
      </div>
    </ShellFrame>
  );
}
