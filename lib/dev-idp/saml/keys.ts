/** The dev IdP's SAML signing key and self-signed certificate: from files named in the environment, or made at start. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

export interface SamlSigningKey {
  privateKeyPem: string;
  certificatePem: string;
}

/**
 * A fresh RSA-2048 key and a self-signed SHA-256 certificate valid for `days`, made with the openssl command
 * (Node can make keys but not certificates). Used by the dev IdP at start and by tests for their own IdPs.
 */
export function generateSigningKey(commonName: string, days = 365): SamlSigningKey {
  const dir = mkdtempSync(join(tmpdir(), 'dev-idp-saml-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-sha256',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        String(days),
        '-subj',
        `/CN=${commonName.replace(/[/=]/g, ' ')}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { privateKeyPem: readFileSync(keyFile, 'utf8'), certificatePem: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads DEV_IDP_SAML_KEY_FILE and DEV_IDP_SAML_CERT_FILE (both or neither), else generates a key for this run. */
const envSchema = z.object({
  DEV_IDP_SAML_KEY_FILE: z.string().min(1).optional().catch(undefined),
  DEV_IDP_SAML_CERT_FILE: z.string().min(1).optional().catch(undefined),
});

export function loadOrGenerateSigningKey(env: Record<string, string | undefined> = process.env): SamlSigningKey {
  const { DEV_IDP_SAML_KEY_FILE: keyFile, DEV_IDP_SAML_CERT_FILE: certFile } = envSchema.parse(env);
  if (keyFile && certFile)
    return { privateKeyPem: readFileSync(keyFile, 'utf8'), certificatePem: readFileSync(certFile, 'utf8') };
  if (keyFile || certFile) throw new Error('Set both DEV_IDP_SAML_KEY_FILE and DEV_IDP_SAML_CERT_FILE, or neither.');
  return generateSigningKey('Grantex Dev IdP (SAML)');
}
