/**
 * SCIM PATCH (RFC 7644 §3.5.2) applied to a stored document, in the forms Entra ID and Okta really send:
 * `op` in any case ("Replace", "add"), with or without `path` (without: `value` is an object whose keys are
 * attribute paths themselves, e.g. `{"active": false}` or `{"name.givenName": "Ada"}`), value filters
 * (`emails[type eq "work"].value`), schema-qualified paths (`urn:…:enterprise:2.0:User:manager`), and group
 * membership in batches (`add`/`remove` on `members`, `remove` with `members[value eq "…"]`, `replace` of
 * `members` with an empty list). Hand-written: the libraries that exist apply RFC 6902 JSON Patch or assume a
 * fixed schema, and reject the shapes above that the clients send.
 *
 * Leniency, on purpose: a `replace` whose value filter matches no element adds one (Entra replaces
 * `emails[type eq "work"].value` on a user created without that email); attribute names match case-insensitively.
 */
import { parse, Tester, type Filter } from 'scim2-parse-filter';
import { SCIM_LIMITS, SCIM_SCHEMAS } from '@/lib/contract';
import { SCIM_MESSAGES, scimError } from './errors';
import type { ScimDocument } from './store';

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

/** Membership changes a group PATCH asks for (user ids), applied by the store beside the document. */
export interface MemberChanges {
  add: string[];
  remove: string[] | 'all';
}

interface ParsedPath {
  /** The top-level key: an attribute name, or an extension schema URN. */
  container: string | null;
  attribute: string;
  filter: Filter | null;
  sub: string | null;
}

const invalidPath = (path: string) =>
  scimError(400, 'invalidPath', `The PATCH path "${path.slice(0, 200)}" is not a valid attribute path`);
const invalidValue = (detail: string) => scimError(400, 'invalidValue', detail);
const PATH_SHAPE = /^([A-Za-z][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z][\w$-]*))?$/;
const tester = new Tester();

/** `urn:…:User:name.givenName`, `emails[type eq "work"].value`, `members`. */
export function parsePath(path: string): ParsedPath {
  let container: string | null = null;
  let rest = path;
  if (path.toLowerCase().startsWith('urn:')) {
    // The attribute follows the schema URN's last colon (before any value filter).
    const bracket = path.indexOf('[');
    const head = bracket === -1 ? path : path.slice(0, bracket);
    const colon = head.lastIndexOf(':');
    const schema = path.slice(0, colon);
    rest = path.slice(colon + 1);
    container =
      schema.toLowerCase() === SCIM_SCHEMAS.user.toLowerCase() ||
      schema.toLowerCase() === SCIM_SCHEMAS.group.toLowerCase()
        ? null
        : schema;
  }
  const match = PATH_SHAPE.exec(rest);
  if (!match) throw invalidPath(path);
  let filter: Filter | null = null;
  if (match[2] !== undefined) {
    try {
      filter = parse(match[2]);
    } catch {
      throw invalidPath(path);
    }
  }
  return { container, attribute: match[1]!, filter, sub: match[3] ?? null };
}

/** The key of `obj` that names `name`, case-insensitively (the name itself when absent). */
function keyOf(obj: ScimDocument, name: string): string {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name;
}

const isObject = (v: unknown): v is ScimDocument => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object the path's attribute lives in (an extension's, created on write). */
function holder(doc: ScimDocument, p: ParsedPath, create: boolean): ScimDocument | null {
  if (p.container === null) return doc;
  const key = keyOf(doc, p.container);
  const existing = doc[key];
  if (isObject(existing)) return existing;
  if (!create) return null;
  const made: ScimDocument = {};
  doc[key] = made;
  return made;
}

function valuesOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Multi-valued add: appended, an element equal to one already there (same `value`) replacing it. */
function appendValues(existing: unknown, added: unknown): unknown[] {
  const out = Array.isArray(existing) ? [...existing] : existing === undefined ? [] : [existing];
  for (const item of valuesOf(added)) {
    const same = isObject(item) && 'value' in item ? out.findIndex((e) => isObject(e) && e.value === item.value) : -1;
    if (same === -1) out.push(item);
    else out[same] = { ...(out[same] as ScimDocument), ...(item as ScimDocument) };
  }
  return out;
}

function applyAt(doc: ScimDocument, op: 'add' | 'replace' | 'remove', path: string, value: unknown): void {
  const p = parsePath(path);
  const target = holder(doc, p, op !== 'remove');
  if (!target) return;
  const key = keyOf(target, p.attribute);

  if (p.filter === null && p.sub === null) {
    if (op === 'remove') delete target[key];
    else if (op === 'add' && Array.isArray(target[key])) target[key] = appendValues(target[key], value);
    else if (op === 'add' && isObject(target[key]) && isObject(value)) target[key] = { ...target[key], ...value };
    else target[key] = value;
    return;
  }
  if (p.filter === null) {
    // `name.givenName`: a sub-attribute of a complex attribute.
    const parent = isObject(target[key]) ? (target[key] as ScimDocument) : op === 'remove' ? null : {};
    if (!parent) return;
    const subKey = keyOf(parent, p.sub!);
    if (op === 'remove') delete parent[subKey];
    else parent[subKey] = value;
    target[key] = parent;
    return;
  }
  // A value filter on a multi-valued attribute.
  const list = Array.isArray(target[key]) ? (target[key] as unknown[]) : [];
  const filter = p.filter;
  const matches = (e: unknown) => isObject(e) && tester.test(e, filter);
  if (op === 'remove') {
    target[key] =
      p.sub === null
        ? list.filter((e) => !matches(e))
        : list.map((e) => {
            if (!matches(e)) return e;
            const copy = { ...(e as ScimDocument) };
            delete copy[keyOf(copy, p.sub!)];
            return copy;
          });
    return;
  }
  let matched = false;
  const updated = list.map((e) => {
    if (!matches(e)) return e;
    matched = true;
    if (p.sub === null) return isObject(value) ? { ...(e as ScimDocument), ...value } : value;
    return { ...(e as ScimDocument), [keyOf(e as ScimDocument, p.sub)]: value };
  });
  if (!matched)
    updated.push({
      ...equalityFields(filter),
      ...(p.sub === null ? (isObject(value) ? value : { value }) : { [p.sub]: value }),
    });
  target[key] = updated;
}

/** The `attr eq "x"` (and `and` of them) fields of a value filter, so an element added for it matches it. */
function equalityFields(f: Filter): ScimDocument {
  if (f.op === 'eq') return { [f.attrPath]: f.compValue };
  if (f.op === 'and') return Object.assign({}, ...f.filters.map(equalityFields)) as ScimDocument;
  return {};
}

function operationName(raw: unknown): 'add' | 'replace' | 'remove' {
  const op = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (op === 'add' || op === 'replace' || op === 'remove') return op;
  throw invalidValue('Each PATCH operation needs "op": "add", "replace" or "remove"');
}

/** Reads a PATCH body's operations (`Operations`, any case of the key), refusing what is not one. */
export function operationsOf(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw scimError(400, 'invalidSyntax', 'The PATCH body must be a PatchOp object');
  const ops = body[keyOf(body, 'Operations')];
  if (!Array.isArray(ops) || ops.length === 0) {
    throw scimError(400, 'invalidSyntax', 'The PATCH body needs a non-empty "Operations" list');
  }
  if (ops.length > SCIM_LIMITS.patchOperations) throw scimError(400, 'tooMany', SCIM_MESSAGES.tooManyOperations);
  return ops.map((o) => {
    if (!isObject(o)) throw scimError(400, 'invalidSyntax', 'Each PATCH operation must be an object');
    const path = o[keyOf(o, 'path')];
    if (path !== undefined && (typeof path !== 'string' || path.length === 0 || path.length > 500)) {
      throw scimError(400, 'invalidPath', 'A PATCH path must be a non-empty string');
    }
    return {
      op: operationName(o[keyOf(o, 'op')]),
      ...(path !== undefined ? { path } : {}),
      value: o[keyOf(o, 'value')],
    };
  });
}

/** The member ids of a `members` value (`[{value}]`, one `{value}`, or, as some clients send, `[{value: [..]}]`). */
function memberIds(value: unknown): string[] {
  const ids: string[] = [];
  for (const item of valuesOf(value)) {
    if (isObject(item) && typeof item.value === 'string') ids.push(item.value);
    else if (item !== null && item !== undefined) throw invalidValue('Each member must be {"value": "<user id>"}');
  }
  return ids;
}

/**
 * Applies `ops` to a copy of `doc`. `members: true` (groups): operations on `members` become membership
 * changes, never part of the document.
 */
export function applyPatch(
  doc: ScimDocument,
  ops: PatchOperation[],
  options: { members: boolean },
): { doc: ScimDocument; members: MemberChanges } {
  const next = structuredClone(doc);
  const members: MemberChanges = { add: [], remove: [] };
  const addMembers = (ids: string[]) => {
    members.add.push(...ids);
    if (members.remove !== 'all') members.remove = members.remove.filter((id) => !ids.includes(id));
  };
  const removeMembers = (ids: string[] | 'all') => {
    if (ids === 'all') {
      members.remove = 'all';
      members.add = [];
      return;
    }
    members.add = members.add.filter((id) => !ids.includes(id));
    if (members.remove !== 'all') members.remove.push(...ids);
  };

  for (const { op, path, value } of ops) {
    if (path === undefined) {
      if (op === 'remove') throw scimError(400, 'noTarget', 'A "remove" operation needs a path');
      if (!isObject(value)) throw invalidValue(`An "${op}" operation without a path needs an object value`);
      for (const [attr, v] of Object.entries(value)) {
        if (options.members && attr.toLowerCase() === 'members') {
          if (op === 'replace') removeMembers('all');
          addMembers(memberIds(v));
        } else if (attr.toLowerCase() !== 'id' && attr.toLowerCase() !== 'meta' && attr.toLowerCase() !== 'schemas') {
          applyAt(next, op, attr, v);
        }
      }
      continue;
    }
    const parsed = parsePath(path);
    if (options.members && parsed.container === null && parsed.attribute.toLowerCase() === 'members') {
      if (op === 'remove') {
        const filtered = parsed.filter ? memberFilterIds(parsed.filter) : null;
        removeMembers(filtered ?? (value === undefined ? 'all' : memberIds(value)));
      } else {
        if (op === 'replace') removeMembers('all');
        addMembers(memberIds(value));
      }
      continue;
    }
    if (op !== 'remove' && value === undefined) throw invalidValue(`The "${op}" operation on "${path}" needs a value`);
    applyAt(next, op, path, value);
  }
  return { doc: next, members };
}

/** `members[value eq "a"]`, `members[value eq "a" or value eq "b"]`: the ids named. */
function memberFilterIds(f: Filter): string[] {
  if (f.op === 'eq' && f.attrPath.toLowerCase() === 'value' && typeof f.compValue === 'string') return [f.compValue];
  if (f.op === 'or') return f.filters.flatMap(memberFilterIds);
  throw scimError(400, 'invalidFilter', 'A members filter must compare value, e.g. members[value eq "<user id>"]');
}
