/**
 * SCIM filters (RFC 7644 §3.4.2.2), parsed by `scim2-parse-filter`. A filter on the indexed attributes
 * (users: id, userName, externalId, displayName, active; groups: id, displayName, externalId, members.value) is
 * run in SQL, so the lookups clients make before every create (`userName eq "…"`, `externalId eq "…"`) are one
 * indexed read however large the directory is. Any other attribute (emails.value, name.givenName, an extension's)
 * is tested in memory over the scope's resources with the library's tester, compared case-insensitively as
 * RFC 7643 says for those attributes (caseExact false).
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { parse, Tester, type Filter } from 'scim2-parse-filter';
import { SCIM_LIMITS, SCIM_SCHEMAS } from '@/lib/contract';
import type { Database } from '../../storage/database';
import { scimError } from './errors';
import { likeEscape, type GroupWhere, type UserWhere } from './store';

/** A filter as the service runs it: in SQL when it can, otherwise a predicate over rendered resources. */
export type CompiledFilter<W> =
  | { kind: 'sql'; where: W }
  /** `narrow`: a SQL pre-filter every match passes (so only candidates are read and tested), or null. */
  | { kind: 'memory'; test: (resource: object) => boolean; narrow: W | null };

const invalidFilter = (detail: string) => scimError(400, 'invalidFilter', detail);

/** Parses `filter`; a malformed one is 400 invalidFilter (the library's message names the position, not data). */
export function parseFilter(text: string): Filter {
  if (text.length > SCIM_LIMITS.filterChars) {
    throw invalidFilter(`A filter must be at most ${SCIM_LIMITS.filterChars} characters`);
  }
  try {
    return parse(text);
  } catch {
    throw invalidFilter(
      'The filter is not a valid SCIM filter (RFC 7644 §3.4.2.2), e.g. userName eq "ada@example.com"',
    );
  }
}

/** `urn:…:core:2.0:User:userName` → `username`; attribute names are case-insensitive. */
function attributeKey(path: string, schema: string): string {
  const prefix = `${schema.toLowerCase()}:`;
  const lower = path.toLowerCase();
  return lower.startsWith(prefix) ? lower.slice(prefix.length) : lower;
}

/** RFC 7643 string comparison for caseExact false attributes. */
class CaseInsensitiveTester extends Tester {
  private static fold(v: unknown): unknown {
    return typeof v === 'string' ? v.toLowerCase() : v;
  }
  override eq(r: unknown, v: unknown): boolean {
    return CaseInsensitiveTester.fold(r) === CaseInsensitiveTester.fold(v);
  }
  override ne(r: unknown, v: unknown): boolean {
    return !this.eq(r, v);
  }
  override co(r: unknown, v: unknown): boolean {
    return typeof r === 'string' && typeof v === 'string' && r.toLowerCase().includes(v.toLowerCase());
  }
  override sw(r: unknown, v: unknown): boolean {
    return typeof r === 'string' && typeof v === 'string' && r.toLowerCase().startsWith(v.toLowerCase());
  }
  override ew(r: unknown, v: unknown): boolean {
    return typeof r === 'string' && typeof v === 'string' && r.toLowerCase().endsWith(v.toLowerCase());
  }
}
const tester = new CaseInsensitiveTester();

/**
 * `fold`: compared case-insensitively. `stored`: how the column holds it — `lowered` columns are kept in lower
 * case by the store (so the comparison stays an indexed equality), the others are lowered in the query.
 */
type Column = { ref: string; fold: boolean; kind: 'text' | 'bool'; lowered?: true };

const USER_COLUMNS: Record<string, Column> = {
  id: { ref: 'id', fold: false, kind: 'text' },
  username: { ref: 'user_name_key', fold: true, kind: 'text', lowered: true },
  externalid: { ref: 'external_id', fold: false, kind: 'text' },
  displayname: { ref: 'display_name', fold: true, kind: 'text' },
  active: { ref: 'active', fold: false, kind: 'bool' },
};
const GROUP_COLUMNS: Record<string, Column> = {
  id: { ref: 'id', fold: false, kind: 'text' },
  displayname: { ref: 'display_name_key', fold: true, kind: 'text', lowered: true },
  externalid: { ref: 'external_id', fold: false, kind: 'text' },
};

/** The SQL of one comparison, or null when this attribute or operator is not run in SQL. */
function comparison(
  column: Column,
  op: string,
  value: unknown,
): ((eb: ExpressionBuilder<Database, 'scim_users' | 'scim_groups'>) => Expression<SqlBool>) | null {
  // Only the column's own table is ever passed in (USER_COLUMNS for users, GROUP_COLUMNS for groups).
  const ref = sql.ref(column.ref);
  const lowered = column.fold && !column.lowered ? sql`lower(${ref})` : ref;
  if (op === 'pr') return () => sql<SqlBool>`${ref} is not null`;
  if (column.kind === 'bool') {
    if (typeof value !== 'boolean' || (op !== 'eq' && op !== 'ne')) return null;
    const target = op === 'eq' ? value : !value;
    // A literal: SQLite binds no booleans, and reads `true`/`false` as 1/0 (both backends store it that way).
    return () => sql<SqlBool>`${ref} = ${sql.lit(target)}`;
  }
  if (typeof value !== 'string') return null;
  const v = column.fold ? value.toLowerCase() : value;
  switch (op) {
    case 'eq':
      return () => sql<SqlBool>`${lowered} = ${v}`;
    case 'ne':
      return () => sql<SqlBool>`(${ref} is null or ${lowered} <> ${v})`;
    case 'co':
      return () => sql<SqlBool>`${lowered} like ${`%${likeEscape(v)}%`} escape '\\'`;
    case 'sw':
      return () => sql<SqlBool>`${lowered} like ${`${likeEscape(v)}%`} escape '\\'`;
    case 'ew':
      return () => sql<SqlBool>`${lowered} like ${`%${likeEscape(v)}`} escape '\\'`;
    default:
      return null;
  }
}

type Where = (eb: ExpressionBuilder<Database, 'scim_users' | 'scim_groups'>) => Expression<SqlBool>;

function toSql(
  f: Filter,
  columns: Record<string, Column>,
  schema: string,
  extra?: (f: Filter) => Where | null,
): Where | null {
  const special = extra?.(f);
  if (special) return special;
  switch (f.op) {
    case 'and':
    case 'or': {
      const parts = f.filters.map((c) => toSql(c, columns, schema, extra));
      if (parts.some((p) => p === null)) return null;
      const joined = parts as Where[];
      return (eb) => (f.op === 'and' ? eb.and(joined.map((p) => p(eb))) : eb.or(joined.map((p) => p(eb))));
    }
    case 'not': {
      const inner = toSql(f.filter, columns, schema, extra);
      return inner ? (eb) => eb.not(inner(eb)) : null;
    }
    case '[]':
      return null;
    default: {
      const column = columns[attributeKey(f.attrPath, schema)];
      if (!column) return null;
      return comparison(column, f.op, f.op === 'pr' ? undefined : f.compValue);
    }
  }
}

function inMemory(f: Filter) {
  return (resource: object) => tester.test(resource, f);
}

/** Values safe to look for in a document's JSON text as they are (JSON escapes none of these characters). */
const PLAIN_VALUE = /^[A-Za-z0-9@._+-]{3,}$/;

/**
 * Text a match's document must contain: the value of an `eq`/`co`/`sw`/`ew` on a string, at the top of the
 * filter or under `and` (an `or` or `not` promises nothing). Looked for case-insensitively in the stored JSON,
 * so `emails.value eq "ada@example.com"` reads the few documents that mention it instead of every one; the
 * in-memory test then decides. Only attributes the stored document holds (not `id` or `meta`, which the answer
 * adds); groups are not narrowed (their members live in their own table).
 */
function requiredText(f: Filter): string[] {
  if (f.op === 'and') return f.filters.flatMap(requiredText);
  if (f.op === '[]') return requiredText(f.valFilter);
  const stored = (path: string) => !/^(meta|id)(\.|$)/i.test(path);
  if (
    (f.op === 'eq' || f.op === 'co' || f.op === 'sw' || f.op === 'ew') &&
    typeof f.compValue === 'string' &&
    stored(f.attrPath)
  ) {
    return PLAIN_VALUE.test(f.compValue) ? [f.compValue.toLowerCase()] : [];
  }
  return [];
}

function narrowing(f: Filter): Where | null {
  const texts = requiredText(f);
  if (texts.length === 0) return null;
  return (eb) =>
    eb.and(texts.map((t) => sql<SqlBool>`lower(cast(resource as text)) like ${`%${likeEscape(t)}%`} escape '\\'`));
}

export function compileUserFilter(f: Filter): CompiledFilter<UserWhere> {
  const where = toSql(f, USER_COLUMNS, SCIM_SCHEMAS.user);
  return where
    ? { kind: 'sql', where: where as UserWhere }
    : { kind: 'memory', test: inMemory(f), narrow: narrowing(f) as UserWhere | null };
}

/** The user id of `members.value eq "<id>"` or `members[value eq "<id>"]`, else null. */
function memberFilterUserId(f: Filter): string | null {
  if (f.op === 'eq' && attributeKey(f.attrPath, SCIM_SCHEMAS.group) === 'members.value') {
    return typeof f.compValue === 'string' ? f.compValue : null;
  }
  if (f.op === '[]' && attributeKey(f.attrPath, SCIM_SCHEMAS.group) === 'members') {
    const inner = f.valFilter;
    if (inner.op === 'eq' && inner.attrPath.toLowerCase() === 'value' && typeof inner.compValue === 'string') {
      return inner.compValue;
    }
  }
  return null;
}

/** Membership filters (Entra asks whether a user is in a group this way): one indexed lookup. */
function memberOf(f: Filter): Where | null {
  const userId = memberFilterUserId(f);
  if (userId === null) return null;
  return () =>
    sql<SqlBool>`exists (select 1 from scim_group_members m where m.group_id = ${sql.ref('scim_groups.id')} and m.user_id = ${userId})`;
}

export function compileGroupFilter(f: Filter): CompiledFilter<GroupWhere> {
  const where = toSql(f, GROUP_COLUMNS, SCIM_SCHEMAS.group, memberOf);
  return where ? { kind: 'sql', where: where as GroupWhere } : { kind: 'memory', test: inMemory(f), narrow: null };
}

/**
 * The console's search over the org's people: a literal, case-insensitive substring of userName, display name or
 * email, and the active state.
 */
export function consoleUserSearch(search: string | null, active: boolean | null): UserWhere | null {
  if (search === null && active === null) return null;
  return (eb) => {
    const parts: Expression<SqlBool>[] = [];
    if (active !== null) parts.push(sql<SqlBool>`active = ${sql.lit(active)}`);
    if (search !== null) {
      const pattern = `%${likeEscape(search.toLowerCase())}%`;
      parts.push(
        eb.or([
          sql<SqlBool>`user_name_key like ${pattern} escape '\\'`,
          sql<SqlBool>`lower(display_name) like ${pattern} escape '\\'`,
          sql<SqlBool>`email_key like ${pattern} escape '\\'`,
        ]),
      );
    }
    return eb.and(parts);
  };
}

/** The console's search over the org's groups: a literal, case-insensitive substring of the display name. */
export function consoleGroupSearch(search: string | null): GroupWhere | null {
  if (search === null) return null;
  const pattern = `%${likeEscape(search.toLowerCase())}%`;
  return () => sql<SqlBool>`display_name_key like ${pattern} escape '\\'`;
}
