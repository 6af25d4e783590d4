/**
 * SCIM's own error shape (RFC 7644 §3.12): `{schemas, status, scimType?, detail}` with the HTTP status as a
 * string. The SCIM endpoints answer every refusal this way (their clients parse nothing else); the `detail`
 * says what to fix and never echoes a token.
 */
import { SCIM_SCHEMAS, type ScimErrorBody, type ScimType } from '@/lib/contract';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  body(): ScimErrorBody {
    return {
      schemas: [SCIM_SCHEMAS.error],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    };
  }
}

export const scimError = (status: number, scimType: ScimType | undefined, detail: string) =>
  new ScimError(status, scimType, detail);

export const SCIM_MESSAGES = {
  unauthorized: 'A valid SCIM token is required: Authorization: Bearer <token> (create one in Directory sync)',
  userNotFound: 'User not found',
  groupNotFound: 'Group not found',
  notFound: 'Not found',
  userNameTaken: 'Another user of this directory already has this userName',
  groupNameTaken: 'Another group of this directory already has this displayName',
  bulkUnsupported: 'Bulk operations are not supported (ServiceProviderConfig: bulk.supported false)',
  sortUnsupported: 'Sorting is not supported (ServiceProviderConfig: sort.supported false)',
  versionMismatch: 'The resource changed since this version (If-Match): read it again',
  bodyTooLarge: 'The request body is too large',
  notJson: 'The request body is not valid JSON',
  mediaType: 'Content-Type must be application/scim+json or application/json',
  tooManyOperations: 'Too many PATCH operations in one request',
  tooManyMembers: 'Too many group members in one request',
  memberUnknown: 'A member value names no user of this directory',
  internal: 'Internal error',
  unavailable: 'The service is temporarily unavailable; retry',
  rateLimited: 'Too many requests for this SCIM token; retry later',
} as const;
