/**
 * GET /settings/sso/<id>/saml-metadata — a SAML connection's SP metadata XML as a download (for IdPs that import
 * a file). Only for this org's connections (the connections actor is checked and the connection read first);
 * the XML itself comes from Grantex's public metadata endpoint.
 */
import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { getConnectionsActor, SETUP_LINK_ENDED } from '@/lib/auth';
import { checkPermission, refusalResponse } from '@/lib/auth/authorize';
import { isGrantexError } from '@/lib/grantex/errors';

export const dynamic = 'force-dynamic';

export async function GET(_req: NextRequest, { params }: { params: Promise<{ connectionId: string }> }) {
  const { connectionId } = await params;
  const check = await checkPermission('GET /settings/sso/[connectionId]/saml-metadata');
  if (!check.ok && check.reason !== 'signed_out') return refusalResponse(check);
  const actor = await getConnectionsActor();
  if (!actor || actor === SETUP_LINK_ENDED)
    return new NextResponse('Sign in first.', { status: 401, headers: { 'Cache-Control': 'no-store' } });
  try {
    const connection = await actor.grantex().sso.connections.get(connectionId);
    if (connection.protocol !== 'saml') return new NextResponse('Not a SAML connection.', { status: 404 });
    const xml = await actor.grantex().sso.connections.getSamlMetadata(connection.id);
    return new NextResponse(xml, {
      headers: {
        'Content-Type': 'application/samlmetadata+xml; charset=utf-8',
        'Content-Disposition': `attachment; filename="saml-sp-${connection.id.replace(/[^A-Za-z0-9_-]/g, '')}.xml"`,
        'Cache-Control': 'no-store',
      },
    });
  } catch (err) {
    if (isGrantexError(err) && err.kind === 'not_found')
      return new NextResponse('Connection not found.', { status: 404 });
    throw err;
  }
}
