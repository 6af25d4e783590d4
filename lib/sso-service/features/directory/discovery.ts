/**
 * SCIM discovery (RFC 7644 §4, RFC 7643 §5–7): what this server supports, its resource types and their
 * schemas. Served without a token (clients read them before they are configured). The schemas list the
 * attributes the service reads or indexes; any other attribute a client sends is kept as sent.
 */
import { SCIM_LIMITS, SCIM_SCHEMAS } from '@/lib/contract';
import { SCIM_MESSAGES, scimError } from './errors';

type Attribute = {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference';
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned?: 'always' | 'never' | 'default';
  uniqueness?: 'none' | 'server';
  subAttributes?: Attribute[];
};

const attr = (name: string, more: Partial<Attribute> = {}): Attribute => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...more,
});

const USER_ATTRIBUTES: Attribute[] = [
  attr('userName', { required: true, uniqueness: 'server' }),
  attr('externalId', { caseExact: true }),
  attr('displayName'),
  attr('name', {
    type: 'complex',
    subAttributes: [attr('formatted'), attr('givenName'), attr('familyName'), attr('middleName')],
  }),
  attr('active', { type: 'boolean' }),
  attr('emails', {
    type: 'complex',
    multiValued: true,
    subAttributes: [attr('value'), attr('type'), attr('primary', { type: 'boolean' })],
  }),
  attr('groups', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [attr('value', { mutability: 'readOnly' }), attr('display', { mutability: 'readOnly' })],
  }),
  attr('password', { mutability: 'writeOnly', returned: 'never' }),
];

const GROUP_ATTRIBUTES: Attribute[] = [
  attr('displayName', { required: true, uniqueness: 'server' }),
  attr('externalId', { caseExact: true }),
  attr('members', {
    type: 'complex',
    multiValued: true,
    subAttributes: [attr('value', { mutability: 'immutable' }), attr('display', { mutability: 'readOnly' })],
  }),
];

const ENTERPRISE_ATTRIBUTES: Attribute[] = [
  attr('employeeNumber'),
  attr('department'),
  attr('organization'),
  attr('manager', { type: 'complex', subAttributes: [attr('value'), attr('displayName', { mutability: 'readOnly' })] }),
];

function schemas(base: string) {
  const schema = (id: string, name: string, attributes: Attribute[]) => ({
    schemas: [SCIM_SCHEMAS.schema],
    id,
    name,
    attributes,
    meta: { resourceType: 'Schema', location: `${base}/scim/v2/Schemas/${id}` },
  });
  return [
    schema(SCIM_SCHEMAS.user, 'User', USER_ATTRIBUTES),
    schema(SCIM_SCHEMAS.group, 'Group', GROUP_ATTRIBUTES),
    schema(SCIM_SCHEMAS.enterpriseUser, 'EnterpriseUser', ENTERPRISE_ATTRIBUTES),
  ];
}

function resourceTypes(base: string) {
  return [
    {
      schemas: [SCIM_SCHEMAS.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: SCIM_SCHEMAS.user,
      schemaExtensions: [{ schema: SCIM_SCHEMAS.enterpriseUser, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/scim/v2/ResourceTypes/User` },
    },
    {
      schemas: [SCIM_SCHEMAS.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: SCIM_SCHEMAS.group,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/scim/v2/ResourceTypes/Group` },
    },
  ];
}

function serviceProviderConfig(base: string) {
  return {
    schemas: [SCIM_SCHEMAS.serviceProviderConfig],
    documentationUri: `${base}/docs/directory-sync`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_LIMITS.maxResults },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A SCIM token created in the console (Directory sync) or with POST /v1/scim/tokens',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/scim/v2/ServiceProviderConfig` },
  };
}

/** A discovery document; with `id`, one schema or resource type (404 when there is none). */
export function discoveryDocument(
  name: 'ServiceProviderConfig' | 'Schemas' | 'ResourceTypes',
  base: string,
  id?: string,
) {
  if (name === 'ServiceProviderConfig') return serviceProviderConfig(base);
  const all: { id: string }[] = name === 'Schemas' ? schemas(base) : resourceTypes(base);
  if (id !== undefined) {
    const found = all.find((r) => r.id === id);
    if (!found) throw scimError(404, undefined, SCIM_MESSAGES.notFound);
    return found;
  }
  return {
    schemas: [SCIM_SCHEMAS.listResponse],
    totalResults: all.length,
    startIndex: 1,
    itemsPerPage: all.length,
    Resources: all,
  };
}
