/**
 * How a running interop LemonLDAP::NG is described to other processes (the Playwright spec, a shell step):
 * INTEROP_LEMONLDAP_* variables, written by `lemonldap.ts --write-env` and read back with zod.
 */
import { z } from 'zod';

export const INTEROP_ENV = {
  issuer: 'INTEROP_LEMONLDAP_ISSUER',
  clientId: 'INTEROP_LEMONLDAP_CLIENT_ID',
  clientSecret: 'INTEROP_LEMONLDAP_CLIENT_SECRET',
  username: 'INTEROP_LEMONLDAP_USERNAME',
  password: 'INTEROP_LEMONLDAP_PASSWORD',
  email: 'INTEROP_LEMONLDAP_EMAIL',
  name: 'INTEROP_LEMONLDAP_NAME',
  sub: 'INTEROP_LEMONLDAP_SUB',
} as const;

const interopIdpSchema = z.object({
  issuer: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  user: z.object({
    username: z.string().min(1),
    password: z.string().min(1),
    email: z.string().min(1),
    name: z.string().min(1),
    sub: z.string().min(1),
  }),
});

export type InteropIdp = z.infer<typeof interopIdpSchema>;

/** The variables that describe `idp`, in INTEROP_ENV's order. */
export function interopEnvVars(idp: InteropIdp): Array<[string, string]> {
  return [
    [INTEROP_ENV.issuer, idp.issuer],
    [INTEROP_ENV.clientId, idp.clientId],
    [INTEROP_ENV.clientSecret, idp.clientSecret],
    [INTEROP_ENV.username, idp.user.username],
    [INTEROP_ENV.password, idp.user.password],
    [INTEROP_ENV.email, idp.user.email],
    [INTEROP_ENV.name, idp.user.name],
    [INTEROP_ENV.sub, idp.user.sub],
  ];
}

/** `export NAME='value'` lines for a shell to source. */
export function interopEnvFile(idp: InteropIdp): string {
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  return interopEnvVars(idp)
    .map(([name, value]) => `export ${name}=${quote(value)}\n`)
    .join('');
}

/** The interop IdP described by the environment, or undefined when INTEROP_LEMONLDAP_ISSUER is not set. */
export function readInteropEnv(env: NodeJS.ProcessEnv = process.env): InteropIdp | undefined {
  if (!env[INTEROP_ENV.issuer]) return undefined;
  const parsed = interopIdpSchema.safeParse({
    issuer: env[INTEROP_ENV.issuer],
    clientId: env[INTEROP_ENV.clientId],
    clientSecret: env[INTEROP_ENV.clientSecret],
    user: {
      username: env[INTEROP_ENV.username],
      password: env[INTEROP_ENV.password],
      email: env[INTEROP_ENV.email],
      name: env[INTEROP_ENV.name],
      sub: env[INTEROP_ENV.sub],
    },
  });
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(
      `${INTEROP_ENV.issuer} is set but the other INTEROP_LEMONLDAP_* variables are incomplete (${missing}). ` +
        'Start LemonLDAP::NG with `tsx scripts/interop/lemonldap.ts --write-env FILE` and source FILE.',
    );
  }
  return parsed.data;
}
