/** The status a new connection gets when the form names none (either protocol). */
import 'server-only';
import type { ConnectionStatus } from '@/lib/contract';
import type { GrantexClient } from '@/lib/grantex';

/** The first connection takes member logins at once; later ones start in testing (the form says why). */
export async function newConnectionStatus(
  grantex: GrantexClient,
  chosen: ConnectionStatus | undefined,
): Promise<ConnectionStatus> {
  return chosen ?? ((await grantex.sso.connections.list()).length === 0 ? 'active' : 'testing');
}
