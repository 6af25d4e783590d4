import Link from 'next/link';

/** The way back from a connection's page (or "new") to the list; next/link, which the admin shell loads anyway. */
export function BackToConnections() {
  return (
    <p className="text-sm">
      <Link href="/settings/sso" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
        <span aria-hidden="true">← </span>All connections
      </Link>
    </p>
  );
}
