/** Server-rendered bits shared by the connections list and a connection's page: status and default badges, last sign-in. */
import { Badge, type BadgeTone } from '@/components/ui';
import type { ConnectionStatus, SsoConnection } from '@/lib/contract';
import { CONNECTION_STATUS_TEXT, CONNECTION_TEXT } from '@/lib/console/messages';
import { formatTime } from './format-time';

const STATUS_TONES: Record<ConnectionStatus, BadgeTone> = {
  active: 'success',
  testing: 'warning',
  inactive: 'neutral',
};

export function StatusBadge({ status }: { status: ConnectionStatus }) {
  return <Badge tone={STATUS_TONES[status]}>{CONNECTION_STATUS_TEXT[status].label}</Badge>;
}

export function DefaultBadge() {
  return <Badge tone="accent">Default</Badge>;
}

/**
 * The last successful sign-in, when Grantex reports it (`lastSignInAt` is an optional field of a connection:
 * older services do not send it, and a connection nobody has used yet has none).
 */
export function LastSignIn({ connection }: { connection: SsoConnection & { lastSignInAt?: string | null } }) {
  const at = connection.lastSignInAt;
  // Absent: this Grantex does not report sign-ins. Null: nobody has signed in with this connection yet.
  if (at === undefined) return <span className="text-gray-600">—</span>;
  if (at === null) return <span className="text-gray-600">{CONNECTION_TEXT.neverSignedIn}</span>;
  return <time dateTime={at}>{formatTime(at)}</time>;
}

export function DomainList({ domains }: { domains: readonly string[] }) {
  if (domains.length === 0) return <span className="text-gray-600">—</span>;
  return <span className="break-all">{domains.join(', ')}</span>;
}
