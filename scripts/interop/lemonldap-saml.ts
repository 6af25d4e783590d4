/**
 * A second real SAML IdP that is neither JavaScript nor ours, and not PHP: LemonLDAP::NG's SAML issuer (Perl,
 * built on Entr'ouvert's Lasso, a C SAML library; Debian's `liblasso-perl`), run by scripts/interop/lemonldap.ts
 * (its own nginx + FastCGI from a temporary directory, one loopback port).
 *
 * The order is an admin's: the portal starts with the SAML issuer on and no service provider; our connection is
 * created from its metadata URL (`/saml/metadata`); then our SP metadata is registered with
 * `registerServiceProvider` (a new configuration version, as LemonLDAP's manager saves one).
 *
 * Configuration keys (LemonLDAP::NG 2.16, read from Lemonldap/NG/Portal/Issuer/SAML.pm and Lib/SAML.pm; manual:
 * https://lemonldap-ng.org/documentation/latest/idpsaml and .../samlservice):
 *   issuerDBSAMLActivation                  the SAML issuer module ("Issuer modules » SAML » Activation")
 *   samlServicePrivateKeySig / …PublicKeySig the service's signing key and its certificate (published in metadata)
 *   samlSPMetaDataXML.<key>.samlSPMetaDataXML the partner SP's metadata
 *   samlSPMetaDataExportedAttributes.<key>  session key → "mandatory;SAML name;format;friendly name"
 *   samlSPMetaDataMacros.<key>              per-SP computed values (here givenName and sn from the Demo cn)
 *   samlSPMetaDataOptions.<key>             per-SP options, below with the manager's defaults for a new SP
 *
 * What LemonLDAP sends with these defaults (our AuthnRequest asks for no NameID format): a Response and its
 * assertion both signed (RSA-SHA256), the NameID in the emailAddress format holding `mail`
 * (samlSPMetaDataOptionsNameIDFormat empty → "email" → samlNameIDFormatMapEmail = mail), and the exported
 * attributes with their plain names (`mail`, `cn`, `givenName`, `sn`, `uid`). The subject is thus the address.
 *
 * One departure from the manager's defaults: "Check SSO message signature" (samlSPMetaDataOptionsCheckSSOMessageSignature)
 * is 1 for a new SP, and our SP sends unsigned AuthnRequests (its metadata says AuthnRequestsSigned="false"),
 * which LemonLDAP then refuses with PE_SAML_SIGNATURE_ERROR. An admin turns it off for our SP; so does this file.
 */
import { execFileSync } from 'node:child_process';
import { z } from 'zod';
import { generateSigningKey } from '@/lib/dev-idp/saml/keys';
import { lemonLdapInstalled, LEMONLDAP_USERS, LemonLdapStartError, startLemonLdap, type LemonLdap } from './lemonldap';

/**
 * LemonLDAP's Demo accounts as the SAML issuer releases them: NameID = mail (emailAddress format), mail, cn
 * (= name), givenName and sn (the two halves of cn), uid (= username).
 */
function samlUser({ username, password, email, name }: (typeof LEMONLDAP_USERS)[number]) {
  const [givenName = '', ...rest] = name.split(' ');
  return { username, password, email, name, givenName, surname: rest.join(' ') };
}
export const LEMONLDAP_SAML_USERS = [samlUser(LEMONLDAP_USERS[0]), samlUser(LEMONLDAP_USERS[1])] as const;
export type LemonLdapSamlUser = (typeof LEMONLDAP_SAML_USERS)[number];

export const NAMEID_FORMATS = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
} as const;

let samlModulesLoad: boolean | undefined;

/** True when LemonLDAP::NG is installed and Perl loads what its SAML issuer needs (Lasso, XML::Simple). */
export function lemonLdapSamlInstalled(): boolean {
  if (!lemonLdapInstalled()) return false;
  if (samlModulesLoad === undefined) {
    try {
      execFileSync('perl', ['-MLasso', '-MXML::Simple', '-e', '1'], { stdio: 'ignore', timeout: 20_000 });
      samlModulesLoad = true;
    } catch {
      samlModulesLoad = false;
    }
  }
  return samlModulesLoad;
}

const spSchema = z.object({
  /** The SP's metadata XML, as our service serves it at /sso/saml/:connectionId/metadata. */
  metadataXml: z.string().min(1).includes('EntityDescriptor'),
  /** LemonLDAP's name for this partner (its configuration key). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  /** LemonLDAP's "Default NameID format" for this SP; empty (the manager's default) means email. */
  nameIdFormat: z.enum(['', 'email', 'persistent', 'transient', 'unspecified']).default(''),
  /** LemonLDAP's "Check SSO message signature" (the manager's default for a new SP is on); off here by default. */
  checkAuthnRequestSignature: z.boolean().default(false),
  /** The session keys released, each under its own name (default: mail, cn, givenName, sn, uid). */
  attributes: z
    .array(z.enum(['mail', 'cn', 'givenName', 'sn', 'uid']))
    .min(1)
    .default(['mail', 'cn', 'givenName', 'sn', 'uid']),
});
export type ServiceProviderRegistration = z.input<typeof spSchema>;

export interface LemonLdapSaml {
  /** The portal (also the OpenID Connect issuer, unused here). */
  baseUrl: string;
  /** LemonLDAP's metadata URL, also its entity ID (`samlEntityID` = #PORTAL#/saml/metadata). */
  metadataUrl: string;
  users: typeof LEMONLDAP_SAML_USERS;
  /** Registers (or replaces) a service provider and waits until the portal has loaded it. */
  registerServiceProvider(sp: ServiceProviderRegistration): Promise<void>;
  portalLog(): Promise<string>;
  close(): Promise<void>;
}

/** The options LemonLDAP's manager gives a new SP (Manager/Attributes.pm), plus the one change above. */
function spOptions(nameIdFormat: string, checkAuthnRequestSignature: boolean) {
  return {
    samlSPMetaDataOptionsNameIDFormat: nameIdFormat,
    // Manager default 1; our SP does not sign AuthnRequests (see the file comment).
    samlSPMetaDataOptionsCheckSSOMessageSignature: checkAuthnRequestSignature ? 1 : 0,
    samlSPMetaDataOptionsCheckSLOMessageSignature: 1,
    samlSPMetaDataOptionsSignSSOMessage: -1,
    samlSPMetaDataOptionsSignSLOMessage: -1,
    samlSPMetaDataOptionsEncryptionMode: 'none',
    samlSPMetaDataOptionsEnableIDPInitiatedURL: 0,
    samlSPMetaDataOptionsForceUTF8: 1,
    samlSPMetaDataOptionsOneTimeUse: 0,
    samlSPMetaDataOptionsNotOnOrAfterTimeout: 72000,
    samlSPMetaDataOptionsSessionNotOnOrAfterTimeout: 72000,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startLemonLdapSaml(
  options: { port?: number; host?: string; startupTimeoutMs?: number } = {},
): Promise<LemonLdapSaml> {
  if (!lemonLdapSamlInstalled())
    throw new LemonLdapStartError(
      'LemonLDAP::NG with Lasso (liblasso-perl) is not installed. ' +
        'Install it with `sudo bash scripts/interop/install-lemonldap.sh` (Debian packages).',
    );
  // Node makes keys but not certificates; the certificate is what the metadata publishes and we pin.
  const key = generateSigningKey('LemonLDAP::NG interop SAML issuer');
  const idp: LemonLdap = await startLemonLdap({
    ...options,
    // One worker: once it has loaded a new configuration, every request sees it.
    workers: 1,
    extraConfig: {
      issuerDBSAMLActivation: 1,
      issuerDBSAMLRule: '1',
      // With the SAML issuer on, LemonLDAP's cookies default to SameSite=None (an SP may POST its AuthnRequest
      // cross-site), which browsers drop without Secure, and this portal is plain HTTP: the login form's post
      // then arrives without LemonLDAP's pending-request cookie and is read as a POST-binding AuthnRequest
      // (Lasso: "Invalid message"). Our SP sends the Redirect binding, a top-level GET that Lax cookies follow.
      sameSite: 'Lax',
      samlServicePrivateKeySig: key.privateKeyPem,
      samlServicePrivateKeySigPwd: '',
      samlServicePublicKeySig: key.certificatePem,
      // The organisation name carries the configuration version, so a reload can be seen in the metadata.
      samlOrganizationName: 'Grantex interop 1',
      samlOrganizationDisplayName: 'Grantex interop',
      samlOrganizationURL: 'https://example.org',
      samlSPMetaDataXML: {},
      samlSPMetaDataExportedAttributes: {},
      samlSPMetaDataMacros: {},
      samlSPMetaDataOptions: {},
    },
  });
  const metadataUrl = `${idp.issuer}/saml/metadata`;

  async function waitForVersion(cfgNum: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const res = await fetch(metadataUrl, { signal: AbortSignal.timeout(5_000) });
        last = await res.text();
        if (res.ok && last.includes(`Grantex interop ${cfgNum}<`)) return;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(250);
    }
    throw new Error(
      `LemonLDAP::NG did not load configuration ${cfgNum} within ${timeoutMs / 1000} s ` +
        `(metadata: ${last.replace(/\s+/g, ' ').slice(0, 200)})`,
    );
  }

  try {
    await waitForVersion(1, options.startupTimeoutMs ?? 30_000);
  } catch (error) {
    const log = await idp.portalLog();
    await idp.close();
    throw new LemonLdapStartError(
      `${error instanceof Error ? error.message : String(error)}\n` +
        `--- portal log (last lines) ---\n${log
          .split('\n')
          .filter((l) => l.trim() && !l.includes('[debug]'))
          .slice(-25)
          .join('\n')}`,
    );
  }

  return {
    baseUrl: idp.issuer,
    metadataUrl,
    users: LEMONLDAP_SAML_USERS,
    registerServiceProvider: async (input) => {
      const sp = spSchema.parse(input);
      const name = sp.name ?? 'grantex';
      let version = 0;
      version = await idp.reconfigure((conf) => {
        const table = (key: string) => (conf[key] ??= {}) as Record<string, unknown>;
        table('samlSPMetaDataXML')[name] = { samlSPMetaDataXML: sp.metadataXml };
        // session key → "mandatory;name;format;friendly name": not mandatory, sent whenever the session has a value.
        table('samlSPMetaDataExportedAttributes')[name] = Object.fromEntries(
          sp.attributes.map((key) => [key, `0;${key}`]),
        );
        table('samlSPMetaDataMacros')[name] = {
          givenName: '(split / /, $cn, 2)[0]',
          sn: '(split / /, $cn, 2)[1]',
        };
        table('samlSPMetaDataOptions')[name] = spOptions(sp.nameIdFormat, sp.checkAuthnRequestSignature);
        conf.samlOrganizationName = `Grantex interop ${Number(conf.cfgNum) + 1}`;
      });
      await waitForVersion(version, 15_000);
    },
    portalLog: () => idp.portalLog(),
    close: () => idp.close(),
  };
}
