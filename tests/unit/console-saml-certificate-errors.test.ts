/** The SAML form's certificate field errors: Grantex's bundle codes are worded by the console, chosen by code. */
import { describe, expect, it } from 'vitest';
import { samlRejection } from '@/app/settings/sso/connection-save';
import { SAML_TEXT } from '@/lib/console/messages';
import { GrantexError } from '@/lib/grantex/errors';

const rejection = (field: string, code: string) =>
  new GrantexError({
    kind: 'validation',
    status: 400,
    code: 'BAD_REQUEST',
    message: `${field}: the service's own wording`,
    errors: [{ field, code, message: "the service's own wording" }],
  });

describe('SAML form: certificate bundle refusals', () => {
  it('words certificate_ambiguous and certificate_missing by code, on the field (renamed where the form names it so)', () => {
    expect(samlRejection(rejection('idpCertificate', 'certificate_ambiguous')).fieldErrors).toEqual({
      idpCertificate: SAML_TEXT.certificateAmbiguous,
    });
    expect(
      samlRejection(rejection('addIdpCertificate', 'certificate_missing'), { addIdpCertificate: 'certificate' })
        .fieldErrors,
    ).toEqual({ certificate: SAML_TEXT.certificateMissing });
  });

  it('keeps the service’s reason for other codes', () => {
    expect(samlRejection(rejection('idpCertificate', 'invalid')).fieldErrors).toEqual({
      idpCertificate: "The service's own wording",
    });
  });
});
