/**
 * A connection's provisioning settings as the connection form's fields show them (the inverse of the form's
 * parsing in lib/validations/provisioning.ts).
 */
import type { SsoConnection } from '@/lib/contract';
import { formatGroupMappings } from '@/lib/validations/provisioning';

export function provisioningFormValues(
  c: Pick<
    SsoConnection,
    'jitProvisioning' | 'groupAttribute' | 'groupMappings' | 'defaultScopes' | 'verifiedDomainsOnly'
  >,
): {
  jitProvisioning: 'on' | 'off';
  groupAttribute: string;
  groupMappings: string;
  defaultScopes: string;
  verifiedDomainsOnly?: 'on';
} {
  return {
    jitProvisioning: c.jitProvisioning ? 'on' : 'off',
    groupAttribute: c.groupAttribute ?? '',
    groupMappings: formatGroupMappings(c.groupMappings),
    defaultScopes: c.defaultScopes.join(' '),
    // A checkbox's form value: `on` when ticked, nothing when not (a hosted API without the field: off).
    ...(c.verifiedDomainsOnly ? { verifiedDomainsOnly: 'on' as const } : {}),
  };
}
