'use server';
/**
 * A SAML connection's IdP single logout URL (features/logout): set or cleared with one PATCH. Saving one makes
 * the connection's SP signing key when it has none (logout messages are signed with it).
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { connectionsAction } from '@/lib/auth';
import { LOGOUT_TEXT, CONNECTION_ERRORS } from '@/lib/console/messages';
import { isGrantexError } from '@/lib/grantex/errors';
import { connectionPath } from '@/lib/console/settings/paths';
import { logSsoEvent } from '@/lib/console/utils/log';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';
import { logConnectionFailure } from '../connection-save';

const connectionIdField = z.string().trim().min(1).max(200);
const sloUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => v === '' || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), {
    message: LOGOUT_TEXT.idpSloUrlInvalid,
  });

export const setIdpSloUrl = connectionsAction(
  'setIdpSloUrl',
  z.object({ [CONNECTION_ID_FIELD]: connectionIdField, idpSloUrl: sloUrl }),
  async ({ connectionId, idpSloUrl }, actor) => {
    const requestId = randomUUID();
    try {
      await actor.grantex({ requestId }).sso.connections.update(connectionId, { idpSloUrl: idpSloUrl || null });
    } catch (err) {
      logConnectionFailure('set_idp_slo_url', requestId, actor, err, connectionId);
      if (isGrantexError(err) && err.kind === 'not_found') return { formError: CONNECTION_ERRORS.not_found };
      if (isGrantexError(err) && err.kind === 'validation')
        return { fieldErrors: { idpSloUrl: LOGOUT_TEXT.idpSloUrlInvalid }, values: { idpSloUrl } };
      throw err;
    }
    logSsoEvent('set_idp_slo_url', { requestId, org: actor.developerId, connection: connectionId, outcome: 'saved' });
    revalidatePath(connectionPath(connectionId));
    return { ok: true, message: LOGOUT_TEXT.idpSloUrlSaved, values: { idpSloUrl } };
  },
);
