import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Admin } from '@/lib/auth/session';
import { adminAction } from '@/lib/auth/action';
import { initialFormState } from '@/lib/auth/form-state';
import { GrantexError } from '@/lib/grantex/errors';

const admin: Admin = {
  developerId: 'dev_1',
  name: 'Acme',
  email: null,
  apiKey: 'gx_test_' + 'k'.repeat(43),
  role: 'owner',
  via: 'api_key',
  person: null,
};
const deps = { getAdmin: async () => admin };

const schema = z.object({
  issuerUrl: z.url('Enter an absolute URL'),
  clientId: z.string().min(1, 'Enter the client ID'),
  clientSecret: z.string().min(8, 'The client secret looks too short'),
  note: z.string().max(3, 'Too long'),
});

function form(values: Record<string, string>) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) fd.set(k, v);
  fd.set('$ACTION_ID_abc', '');
  return fd;
}

describe('adminAction', () => {
  it('returns every field error at once and never echoes secrets', async () => {
    const action = adminAction(
      'createWebhook',
      schema,
      async () => ({ message: 'never' }),
      { neverEcho: ['clientSecret'] },
      deps,
    );
    const state = await action(
      initialFormState(),
      form({
        issuerUrl: 'nope',
        clientId: '',
        clientSecret: 'Zq9-s',
        note: 'toolong',
        apiKey: 'gx_test_x',
        password: 'p',
      }),
    );
    expect(state.ok).toBe(false);
    expect(Object.keys(state.fieldErrors).sort()).toEqual(['clientId', 'clientSecret', 'issuerUrl', 'note']);
    expect(state.fieldErrors.issuerUrl).toBe('Enter an absolute URL');
    expect(state.formError).toBeTruthy();
    expect(state.values).toEqual({ issuerUrl: 'nope', clientId: '', note: 'toolong' });
    expect(JSON.stringify(state)).not.toContain('Zq9-s');
  });

  it('drops secret-looking names even when not listed', async () => {
    const loose = z.object({ clientSecret: z.string().min(100) });
    const state = await adminAction(
      'createWebhook',
      loose,
      async () => {},
      {},
      deps,
    )(initialFormState(), form({ clientSecret: 'hunter2' }));
    expect(state.values).toEqual({});
  });

  it('passes parsed input and the admin to the handler and reports success', async () => {
    let seen: unknown;
    const action = adminAction(
      'createWebhook',
      schema,
      async (input, who) => {
        seen = { input, who: who.developerId };
        return { message: 'Saved.' };
      },
      { neverEcho: ['clientSecret'] },
      deps,
    );
    const state = await action(
      initialFormState(),
      form({ issuerUrl: 'https://idp.example', clientId: 'c', clientSecret: 'long-enough', note: 'ok' }),
    );
    expect(state).toMatchObject({ ok: true, message: 'Saved.', fieldErrors: {} });
    expect(state.values).not.toHaveProperty('clientSecret');
    expect(seen).toEqual({
      input: { issuerUrl: 'https://idp.example', clientId: 'c', clientSecret: 'long-enough', note: 'ok' },
      who: 'dev_1',
    });
  });

  it('maps a GrantexError to a friendly form error with the request id and without the key', async () => {
    const action = adminAction(
      'createWebhook',
      z.object({}),
      async () => {
        throw new GrantexError({
          kind: 'server',
          status: 500,
          code: 'INTERNAL_ERROR',
          message: 'boom',
          requestId: 'req_42',
        });
      },
      {},
      deps,
    );
    const state = await action(initialFormState(), form({}));
    expect(state.ok).toBe(false);
    expect(state.formError).toMatch(/req_42/);
    expect(state.formError).not.toContain(admin.apiKey);
  });

  it('hides unexpected errors behind a generic message', async () => {
    const action = adminAction(
      'createWebhook',
      z.object({}),
      async () => {
        throw new Error(`db password is ${admin.apiKey}`);
      },
      {},
      deps,
    );
    const state = await action(initialFormState(), form({}));
    expect(state.formError).not.toContain(admin.apiKey);
    expect(state.formError).toMatch(/Something went wrong/);
  });

  it('handler field errors make the result not ok', async () => {
    const action = adminAction(
      'createWebhook',
      z.object({ clientId: z.string() }),
      async () => ({ fieldErrors: { clientId: 'Taken' } }),
      {},
      deps,
    );
    const state = await action(initialFormState(), form({ clientId: 'x' }));
    expect(state).toMatchObject({ ok: false, fieldErrors: { clientId: 'Taken' } });
  });

  it('redirects signed-out callers to /signin', async () => {
    const action = adminAction('createWebhook', z.object({}), async () => {}, {}, { getAdmin: async () => null });
    await expect(action(initialFormState(), form({}))).rejects.toMatchObject({
      digest: expect.stringContaining('/signin'),
    });
  });
});
