/**
 * SCIM Users and Groups as documents: what a client's document means for the indexed columns (userName, the
 * email sign-in links by, active), and the resources the service answers with (`meta` with `location` and a
 * weak `version`, `attributes`/`excludedAttributes` applied). The stored document keeps every attribute the
 * client sent, unknown ones included (a client reads back what it wrote), except `password`, which is never
 * stored or returned.
 */
import { SCIM_SCHEMAS } from '@/lib/contract';
import { scimError } from './errors';
import type { DirectoryGroup, DirectoryUser, ScimDocument } from './store';

const USER_NAME_MAX = 256;
const DISPLAY_NAME_MAX = 256;
/** Never stored: a password a client provisions (Okta's "sync password") has no use here. */
const DROPPED = new Set(['password', 'id', 'meta']);

const isObject = (v: unknown): v is ScimDocument => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalidValue = (detail: string) => scimError(400, 'invalidValue', detail);

function field(doc: ScimDocument, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(doc).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : doc[key];
}

/** Entra ID sends booleans as strings ("True", "False"). */
export function booleanOf(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidValue(`"${name}" must be a boolean`);
}

function optionalString(value: unknown, name: string, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > max)
    throw invalidValue(`"${name}" must be a string of at most ${max} characters`);
  return value;
}

/** The document as stored: the client's, minus what is never kept, `active` a real boolean. */
export function cleanDocument(doc: ScimDocument): ScimDocument {
  const out: ScimDocument = {};
  for (const [k, v] of Object.entries(doc)) if (!DROPPED.has(k.toLowerCase())) out[k] = v;
  const activeKey = Object.keys(out).find((k) => k.toLowerCase() === 'active');
  if (activeKey !== undefined) {
    const active = booleanOf(out[activeKey], 'active');
    delete out[activeKey];
    if (active !== undefined) out.active = active;
  }
  return out;
}

/** The primary email (else the first, else an email-shaped userName), lower-cased: what sign-in links by. */
function emailKeyOf(doc: ScimDocument, userName: string): string | null {
  const emails = field(doc, 'emails');
  if (Array.isArray(emails)) {
    const values = emails.filter(isObject).filter((e) => typeof e.value === 'string' && e.value.includes('@'));
    const primary = values.find((e) => booleanOf(e.primary, 'emails.primary') === true) ?? values[0];
    if (primary) return (primary.value as string).toLowerCase();
  }
  return userName.includes('@') ? userName.toLowerCase() : null;
}

export type UserColumns = Pick<
  DirectoryUser,
  'userName' | 'externalId' | 'displayName' | 'emailKey' | 'active' | 'resource'
>;

/** The columns of a user document (create, replace, or the result of a PATCH). */
export function userColumns(input: ScimDocument): UserColumns {
  const doc = cleanDocument(input);
  const userName = field(doc, 'userName');
  if (typeof userName !== 'string' || userName.trim() === '' || userName.length > USER_NAME_MAX) {
    throw invalidValue(`"userName" is required: a non-empty string of at most ${USER_NAME_MAX} characters`);
  }
  const name = field(doc, 'name');
  const formatted = isObject(name)
    ? optionalString(field(name, 'formatted'), 'name.formatted', DISPLAY_NAME_MAX)
    : null;
  const given = isObject(name) ? optionalString(field(name, 'givenName'), 'name.givenName', DISPLAY_NAME_MAX) : null;
  const family = isObject(name) ? optionalString(field(name, 'familyName'), 'name.familyName', DISPLAY_NAME_MAX) : null;
  const displayName =
    optionalString(field(doc, 'displayName'), 'displayName', DISPLAY_NAME_MAX) ??
    formatted ??
    ([given, family].filter(Boolean).join(' ') || null);
  return {
    userName,
    externalId: optionalString(field(doc, 'externalId'), 'externalId', USER_NAME_MAX),
    displayName,
    emailKey: emailKeyOf(doc, userName),
    // RFC 7643: active defaults to true when a client does not say.
    active: booleanOf(field(doc, 'active'), 'active') ?? true,
    resource: doc,
  };
}

export type GroupColumns = Pick<DirectoryGroup, 'displayName' | 'externalId' | 'resource'>;

/** The columns of a group document; `members` are read separately (they live in their own table). */
export function groupColumns(input: ScimDocument): GroupColumns {
  const doc = cleanDocument(input);
  delete doc[Object.keys(doc).find((k) => k.toLowerCase() === 'members') ?? 'members'];
  const displayName = field(doc, 'displayName');
  if (typeof displayName !== 'string' || displayName.trim() === '' || displayName.length > DISPLAY_NAME_MAX) {
    throw invalidValue(`"displayName" is required: a non-empty string of at most ${DISPLAY_NAME_MAX} characters`);
  }
  return {
    displayName,
    externalId: optionalString(field(doc, 'externalId'), 'externalId', USER_NAME_MAX),
    resource: doc,
  };
}

/** The member ids of a group document's `members` (create and replace). */
export function groupMemberIds(input: ScimDocument): string[] {
  const members = field(input, 'members');
  if (members === undefined || members === null) return [];
  if (!Array.isArray(members)) throw invalidValue('"members" must be a list of {"value": "<user id>"}');
  return members.map((m) => {
    if (!isObject(m) || typeof m.value !== 'string') throw invalidValue('Each member must be {"value": "<user id>"}');
    return m.value;
  });
}

/** A weak ETag from the row's version (RFC 7644 §3.14). */
export const versionTag = (version: number) => `W/"${version}"`;

function schemasOf(doc: ScimDocument, core: string): string[] {
  const extensions = Object.keys(doc).filter((k) => k.toLowerCase().startsWith('urn:') && isObject(doc[k]));
  return [core, ...extensions];
}

/** The stored document without its `schemas` (the answer's own list replaces it). */
function withoutSchemas(doc: ScimDocument): ScimDocument {
  const copy = { ...doc };
  delete copy.schemas;
  return copy;
}

export function renderUser(user: DirectoryUser, baseUrl: string): ScimDocument {
  const doc = withoutSchemas(user.resource);
  return {
    ...doc,
    schemas: schemasOf(user.resource, SCIM_SCHEMAS.user),
    id: user.id,
    userName: user.userName,
    active: user.active,
    meta: {
      resourceType: 'User',
      created: user.createdAt,
      lastModified: user.updatedAt,
      location: `${baseUrl}/scim/v2/Users/${user.id}`,
      version: versionTag(user.version),
    },
  };
}

export function renderGroup(
  group: DirectoryGroup,
  members: { id: string; display: string }[],
  baseUrl: string,
): ScimDocument {
  const doc = withoutSchemas(group.resource);
  return {
    ...doc,
    schemas: schemasOf(group.resource, SCIM_SCHEMAS.group),
    id: group.id,
    displayName: group.displayName,
    members: members.map((m) => ({ value: m.id, display: m.display, $ref: `${baseUrl}/scim/v2/Users/${m.id}` })),
    meta: {
      resourceType: 'Group',
      created: group.createdAt,
      lastModified: group.updatedAt,
      location: `${baseUrl}/scim/v2/Groups/${group.id}`,
      version: versionTag(group.version),
    },
  };
}

/** Attributes always returned whatever `attributes`/`excludedAttributes` say (RFC 7643 `returned: always`). */
const ALWAYS = new Set(['id', 'schemas', 'meta']);

function attributeList(raw: unknown): string[] | null {
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  return raw
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * `attributes` (only these, plus the always-returned ones) or `excludedAttributes` (all but these). Top-level
 * names and `a.b` sub-attributes; schema-qualified names of the core schemas are read as their attribute.
 */
export function projection(query: { attributes?: unknown; excludedAttributes?: unknown }) {
  const strip = (a: string) => {
    for (const s of [SCIM_SCHEMAS.user, SCIM_SCHEMAS.group])
      if (a.startsWith(`${s.toLowerCase()}:`)) return a.slice(s.length + 1);
    return a;
  };
  const only = attributeList(query.attributes)?.map(strip) ?? null;
  const excluded = attributeList(query.excludedAttributes)?.map(strip) ?? null;
  if (!only && !excluded) return (doc: ScimDocument) => doc;
  return (doc: ScimDocument): ScimDocument => {
    const out: ScimDocument = {};
    for (const [key, value] of Object.entries(doc)) {
      const lower = key.toLowerCase();
      if (ALWAYS.has(lower)) {
        out[key] = value;
      } else if (only) {
        const subs = only.filter((a) => a.startsWith(`${lower}.`)).map((a) => a.slice(lower.length + 1));
        if (only.includes(lower)) out[key] = value;
        else if (subs.length > 0 && isObject(value)) {
          out[key] = Object.fromEntries(Object.entries(value).filter(([k]) => subs.includes(k.toLowerCase())));
        }
      } else if (!excluded!.includes(lower)) {
        out[key] = value;
      }
    }
    return out;
  };
}
