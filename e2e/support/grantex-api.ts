/** The few Grantex API calls the fixtures make directly (signup, identity, cleanup), over plain fetch. */

export interface Org {
  developerId: string;
  apiKey: string;
  name: string;
}

async function call(url: string, init: RequestInit & { apiKey?: string } = {}): Promise<Response> {
  const { apiKey, headers, ...rest } = init;
  return fetch(url, {
    ...rest,
    headers: {
      accept: 'application/json',
      ...(rest.body ? { 'content-type': 'application/json' } : {}),
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      ...headers,
    },
    signal: AbortSignal.timeout(15_000),
  });
}

/** A brand-new organization via the public `POST /v1/signup`, so no two tests share state. */
export async function signUp(grantexUrl: string, label: string): Promise<Org> {
  const name = `e2e ${label}`.slice(0, 100);
  const res = await call(`${grantexUrl}/v1/signup`, { method: 'POST', body: JSON.stringify({ name }) });
  if (res.status !== 201) {
    throw new Error(`POST ${grantexUrl}/v1/signup answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
  const body = (await res.json()) as Partial<Org>;
  if (typeof body.developerId !== 'string' || typeof body.apiKey !== 'string') {
    throw new Error('POST /v1/signup did not return developerId and apiKey');
  }
  return { developerId: body.developerId, apiKey: body.apiKey, name };
}

/** The org behind an existing key (E2E_API_KEY), with any SSO config removed so each test starts clean. */
export async function existingOrg(grantexUrl: string, apiKey: string): Promise<Org> {
  const me = await call(`${grantexUrl}/v1/me`, { apiKey });
  if (!me.ok) throw new Error(`GET ${grantexUrl}/v1/me with E2E_API_KEY answered ${me.status}`);
  const body = (await me.json()) as { developerId?: unknown; name?: unknown };
  if (typeof body.developerId !== 'string') throw new Error('GET /v1/me did not return developerId');
  await deleteSsoConfig(grantexUrl, apiKey);
  return { developerId: body.developerId, apiKey, name: typeof body.name === 'string' ? body.name : '' };
}

export async function deleteSsoConfig(grantexUrl: string, apiKey: string): Promise<void> {
  const res = await call(`${grantexUrl}/v1/sso/config`, { method: 'DELETE', apiKey });
  if (res.status !== 204 && res.status !== 404) throw new Error(`DELETE /v1/sso/config answered ${res.status}`);
}

/** A connection created over the API (for specs that start from a configured organization). */
export async function createConnection(
  grantexUrl: string,
  apiKey: string,
  input: {
    name: string;
    issuerUrl: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    status?: 'active' | 'testing' | 'inactive';
  },
): Promise<{ id: string; name: string; isDefault: boolean }> {
  const res = await call(`${grantexUrl}/v1/sso/connections`, {
    method: 'POST',
    apiKey,
    body: JSON.stringify({ protocol: 'oidc', ...input }),
  });
  if (res.status !== 201)
    throw new Error(`POST /v1/sso/connections answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as { id: string; name: string; isDefault: boolean };
}
