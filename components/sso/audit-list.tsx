/** The audit trail: who changed what (field names only) and when, newest first. */
import type { AuditEvent } from '@/lib/contract';
import { AUDIT_ISSUER_CHANGED } from '@/lib/contract/limits';
import { NEW_IDP_TEXT } from '@/lib/console/messages';
import { displayText } from '@/lib/console/utils/display-text';
import { formatTime } from './format-time';

const ACTOR: Record<AuditEvent['actor']['kind'], string> = {
  api_key: 'API key',
  setup_link: 'Setup link',
  sso_admin: 'SSO admin',
  system: 'System',
  scim_token: 'SCIM token',
  console_session: 'Console sign-in',
};

/** Who did it: for a console sign-in the person (their email, or the break-glass credential's label) first. */
function Actor({ actor }: { actor: AuditEvent['actor'] }) {
  if (actor.kind === 'console_session' && actor.label) {
    return (
      <span className="text-gray-600">
        by <span className="font-medium text-gray-900">{displayText(actor.label, 200)}</span> ({ACTOR[actor.kind]}
        {actor.id ? ` ${actor.id}` : ''})
      </span>
    );
  }
  return (
    <span className="text-gray-600">
      by {ACTOR[actor.kind]}
      {actor.id ? ` ${actor.id}` : ''}
      {actor.label ? ` (${displayText(actor.label, 200)})` : ''}
    </span>
  );
}

export function AuditList({ events }: { events: readonly AuditEvent[] }) {
  if (events.length === 0) return <p className="text-sm text-gray-600">No changes recorded yet.</p>;
  return (
    <ul className="divide-y divide-gray-200 text-sm" aria-label="Changes">
      {events.map((e) => (
        <li key={e.id} className="flex flex-wrap gap-x-3 py-2">
          <time dateTime={e.createdAt} className="text-gray-600">
            {formatTime(e.createdAt)}
          </time>
          <span className="font-mono text-gray-900">{e.action}</span>
          <span className="text-gray-700">
            {e.target.type} {e.target.id ?? ''}
          </span>
          <ChangedFields fields={e.changedFields} />
          <Actor actor={e.actor} />
        </li>
      ))}
    </ul>
  );
}

/** The changed field names; the new-IdP marker is said in words, since it is not a field. */
function ChangedFields({ fields }: { fields: readonly string[] }) {
  const names = fields.filter((f) => f !== AUDIT_ISSUER_CHANGED);
  return (
    <>
      {names.length > 0 ? <span className="text-gray-700">changed: {names.join(', ')}</span> : null}
      {names.length < fields.length ? (
        <span className="font-medium text-amber-800">{NEW_IDP_TEXT.auditNote}</span>
      ) : null}
    </>
  );
}
