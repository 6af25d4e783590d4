/**
 * Directory sync (SCIM 2.0, RFC 7643/7644): the token management shapes of the Grantex API
 * (`POST|GET /v1/scim/tokens`, `DELETE /v1/scim/tokens/:id`) and the SCIM protocol's own constants. The SCIM
 * resources themselves are documents the service builds (features/directory); what a client may send is checked
 * there, leniently, because real clients send more than the schema names (docs/DIRECTORY-SYNC.md).
 */
import { z } from 'zod';
import { ID_MAX } from './limits';
import { isoTimestampSchema } from './wire';

/** Every SCIM token starts with this, so leak scanners (and the service) recognise one at a glance. */
export const SCIM_TOKEN_PREFIX = 'gxscim_';
/** gxscim_ + 43 base64url characters (32 random bytes). */
export const SCIM_TOKEN_PATTERN = /^gxscim_[A-Za-z0-9_-]{43}$/;
export const SCIM_TOKEN_LABEL_MAX = 100;

export const SCIM_SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** The `scimType` values of RFC 7644 §3.12 the service answers with. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** The SCIM error body (RFC 7644 §3.12): `status` is a string there. */
export interface ScimErrorBody {
  schemas: [typeof SCIM_SCHEMAS.error];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/**
 * Which SSO connection a token's users sign in through: one connection, or (absent, as upstream's SDKs create
 * them) every connection of the org.
 */
export const scimTokenCreateSchema = z.object({
  label: z.string().trim().min(1, 'label is required').max(SCIM_TOKEN_LABEL_MAX),
  connectionId: z.string().min(1).max(ID_MAX).optional(),
});
export type ScimTokenCreate = z.infer<typeof scimTokenCreateSchema>;

export const scimTokenSchema = z.object({
  id: z.string(),
  label: z.string(),
  connectionId: z.string().nullable(),
  createdAt: isoTimestampSchema,
  lastUsedAt: isoTimestampSchema.nullable(),
});
export type ScimToken = z.infer<typeof scimTokenSchema>;

/** The one answer that carries the token (201): shown once, stored as a hash. */
export const scimTokenCreatedSchema = scimTokenSchema.extend({
  token: z.string().regex(SCIM_TOKEN_PATTERN),
  scimBaseUrl: z.string().optional(),
});
export type ScimTokenCreated = z.infer<typeof scimTokenCreatedSchema>;

/**
 * `scimBaseUrl` (ours): where the directory sends SCIM requests, built from the service's public URL; the admin
 * pastes it into the IdP beside the token. Optional: upstream does not send it.
 */
export const scimTokenListSchema = z.object({ tokens: z.array(scimTokenSchema), scimBaseUrl: z.string().optional() });
export type ScimTokenList = z.infer<typeof scimTokenListSchema>;

export const SCIM_TOKEN_MESSAGES = {
  notFound: 'SCIM token not found',
  connectionNotFound: 'connectionId names no connection of this organization',
} as const;

/** Limits of the SCIM endpoints (also published in ServiceProviderConfig). */
export const SCIM_LIMITS = {
  /** A SCIM request body, in bytes (a group PATCH adding members in batches is the largest real one). */
  bodyBytes: 256 * 1024,
  /** Resources per page when the client asks for more, or for none. */
  maxResults: 200,
  /** Operations in one PATCH. */
  patchOperations: 1000,
  /** Members of one group in one request. */
  groupMembers: 10_000,
  /** A filter's length in characters. */
  filterChars: 2000,
} as const;

// ---------------------------------------------------------------- the directory as the console reads it (ours)

/** `GET /v1/scim/users` and `/v1/scim/groups`: the org's provisioned people and groups, every directory. */
export const directoryListQuerySchema = z.object({
  /** Case-insensitive substring of userName, display name or email (users), display name (groups). */
  search: z.string().max(200).optional(),
  /** Users only: `active` or `inactive`. */
  state: z.enum(['active', 'inactive']).optional(),
  /** 1-based, as SCIM pages. */
  startIndex: z.coerce.number().int().min(1).max(1_000_000).optional(),
  count: z.coerce.number().int().min(1).max(200).optional(),
});
export type DirectoryListQuery = z.infer<typeof directoryListQuerySchema>;

export const directoryUserSchema = z.object({
  id: z.string(),
  /** The connection whose directory holds the user; null: the org's directory. */
  connectionId: z.string().nullable(),
  userName: z.string(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
  active: z.boolean(),
  externalId: z.string().nullable(),
  groups: z.array(z.string()),
  createdAt: isoTimestampSchema,
  updatedAt: isoTimestampSchema,
});
export type DirectoryUserSummary = z.infer<typeof directoryUserSchema>;

export const directoryUserListSchema = z.object({
  users: z.array(directoryUserSchema),
  totalResults: z.number().int(),
  startIndex: z.number().int(),
});
export type DirectoryUserList = z.infer<typeof directoryUserListSchema>;

export const directoryGroupSchema = z.object({
  id: z.string(),
  connectionId: z.string().nullable(),
  displayName: z.string(),
  externalId: z.string().nullable(),
  memberCount: z.number().int(),
  createdAt: isoTimestampSchema,
  updatedAt: isoTimestampSchema,
});
export type DirectoryGroupSummary = z.infer<typeof directoryGroupSchema>;

export const directoryGroupListSchema = z.object({
  groups: z.array(directoryGroupSchema),
  totalResults: z.number().int(),
  startIndex: z.number().int(),
});
export type DirectoryGroupList = z.infer<typeof directoryGroupListSchema>;
