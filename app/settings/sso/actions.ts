'use server';
/**
 * Mutations of the SSO settings page. Each goes through `adminAction`, which authorizes (every
 * time, not only in the proxy), parses all fields with the shared schema and never echoes the
 * secret; the handlers add the issuer check, the Grantex call, one log line and revalidation.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { adminAction, connectionsAction } from '@/lib/auth';
import { grantexForAdmin } from '@/lib/grantex/server';
import { isGrantexError } from '@/lib/grantex/errors';
import { buildSsoConfigSchema, HAS_SAVED_SECRET_FIELD, type SsoConfigInput } from '@/lib/validations/sso-config';
import type { FormState } from '@/lib/auth/form-state';
import { ssoDevMode } from '@/lib/console/utils/sso-mode';
import { checkIssuer } from '@/lib/console/settings/issuer-check';
import { saveDefaultConfig } from '@/lib/console/settings/default-connection';
import { trimPastedDiscoveryUrl } from '@/lib/console/settings/issuer-fixes';
import { logSsoEvent } from '@/lib/console/utils/log';
import { fieldErrorsText, SETTINGS_ERRORS } from '@/lib/console/messages';

const SETTINGS_PATH = '/settings/sso';


// Built on first use, not at module load: the dev-mode switch is runtime configuration.
function makeSaveAction(hasSavedSecret: boolean) {
  const devMode = ssoDevMode();
  // The API-key admin and a setup-link user may both save (see lib/auth/connections-actor.ts).
  return connectionsAction(
    buildSsoConfigSchema({ devMode, hasSavedSecret }),
    async (input, actor) => {
      const requestId = randomUUID();
      const { skipIssuerCheck, ...config } = input;

      if (!skipIssuerCheck) {
        const check = await checkIssuer(config.issuerUrl, { devMode });
        if (!check.ok) {
          logSsoEvent('save_config', { requestId, org: actor.developerId, outcome: `issuer_${check.reason}` });
          return {
            fieldErrors: {
              issuerUrl: check.message,
              ...(check.reachability ? { skipIssuerCheck: SETTINGS_ERRORS.skip_check_offer } : {}),
            },
            formError: SETTINGS_ERRORS.issuer_not_verified,
            // A slash or case slip: the form offers "Use <issuer>" (the next save checks it again like any value).
            ...(check.suggestedIssuer ? { suggestions: { issuerUrl: check.suggestedIssuer } } : {}),
          };
        }
      }

      try {
        await saveDefaultConfig(actor, config, requestId);
      } catch (err) {
        logSsoEvent('save_config', {
          requestId,
          org: actor.developerId,
          outcome: isGrantexError(err) ? err.kind : 'unexpected',
          grantexRequestId: isGrantexError(err) ? err.requestId : null,
        });
        // Reasons that name the form's fields go next to them; any other rejection stays one form-level message.
        if (isGrantexError(err) && err.kind === 'validation' && err.fieldErrors) {
          return { fieldErrors: fieldErrorsText(err.fieldErrors), formError: SETTINGS_ERRORS.config_rejected };
        }
        throw err;
      }

      logSsoEvent('save_config', { requestId, org: actor.developerId, outcome: 'saved', issuerChecked: !skipIssuerCheck });
      revalidatePath(SETTINGS_PATH);
      return {
        ok: true,
        message: 'SSO configuration saved',
        values: { issuerUrl: config.issuerUrl, clientId: config.clientId, redirectUri: config.redirectUri },
      };
    },
    { neverEcho: ['clientSecret'] },
  );
}

const saveActions = new Map<boolean, ReturnType<typeof makeSaveAction>>();

export async function saveSsoConfig(prev: FormState<SsoConfigInput>, formData: FormData): Promise<FormState<SsoConfigInput>> {
  // The form says whether it showed a saved configuration (so a secret is set). That only picks the
  // wording of the "secret is required" message; nothing security-relevant depends on it, so a
  // hidden field is good enough and saves a Grantex round trip per save.
  const hasSavedSecret = formData.get(HAS_SAVED_SECRET_FIELD) === '1';
  let action = saveActions.get(hasSavedSecret);
  if (!action) {
    action = makeSaveAction(hasSavedSecret);
    saveActions.set(hasSavedSecret, action);
  }
  const { note } = trimPastedDiscoveryUrl(formData);
  const state = await action(prev, formData);
  return note ? { ...state, notes: { ...state.notes, issuerUrl: note } } : state;
}

export const deleteSsoConfig = adminAction(z.object({}), async (_input, admin) => {
  const requestId = randomUUID();
  try {
    await grantexForAdmin(admin, { requestId }).deleteConfig();
  } catch (err) {
    // Already gone (another tab, another admin): the outcome the admin asked for.
    if (!(isGrantexError(err) && err.kind === 'not_found')) {
      logSsoEvent('delete_config', {
        requestId,
        org: admin.developerId,
        outcome: isGrantexError(err) ? err.kind : 'unexpected',
        grantexRequestId: isGrantexError(err) ? err.requestId : null,
      });
      throw err;
    }
  }
  logSsoEvent('delete_config', { requestId, org: admin.developerId, outcome: 'deleted' });
  revalidatePath(SETTINGS_PATH);
  // The delete button disappears with the config, so the confirmation lives on the page itself.
  redirect(`${SETTINGS_PATH}?deleted=1`);
});
