/**
 * A SAML connection's "Attribute mapping" section: the form (client) and, next to it, what the connection's last
 * test sign-in actually received (attribute names and values from its sign-in log entry), so the admin maps the
 * names the identity provider really sends.
 */
import type { SamlAttributeMapping } from '@/lib/contract';
import { ATTRIBUTE_MAPPING_FIELDS } from '@/lib/contract/limits';
import { ATTRIBUTE_MAPPING_TEXT } from '@/lib/console/messages';
import type { ReceivedAttributes } from '@/lib/console/settings/received-attributes';
import { attributeNamesText } from '@/lib/console/settings/saml-attribute-presets';
import { formatTime } from './format-time';
import { SamlAttributeMappingForm, type SaveAttributeMappingAction } from './saml-attribute-mapping-form';

/** `received`: the last test's attributes; null: none recorded yet; 'unavailable': not shown to this user. */
export function SamlAttributeMapping({
  action,
  connectionId,
  mapping,
  received,
}: {
  action: SaveAttributeMappingAction;
  connectionId: string;
  mapping: SamlAttributeMapping | undefined;
  received: ReceivedAttributes | null | 'unavailable';
}) {
  const initial = Object.fromEntries(ATTRIBUTE_MAPPING_FIELDS.map((f) => [f, attributeNamesText(mapping?.[f])]));
  return (
    <div className="grid grid-cols-1 gap-8 lg:grid-cols-2">
      <SamlAttributeMappingForm action={action} connectionId={connectionId} initial={initial} />
      <section aria-labelledby="received-attributes-title" className="min-w-0">
        <h3 id="received-attributes-title" className="mb-2 text-sm font-medium text-gray-900">
          {ATTRIBUTE_MAPPING_TEXT.receivedTitle}
        </h3>
        {received === 'unavailable' ? (
          <p className="text-sm text-gray-600">{ATTRIBUTE_MAPPING_TEXT.receivedUnavailable}</p>
        ) : received === null || received.attributes.length === 0 ? (
          <p className="text-sm text-gray-600">{ATTRIBUTE_MAPPING_TEXT.receivedNone}</p>
        ) : (
          <>
            <p className="mb-2 text-sm text-gray-600">{ATTRIBUTE_MAPPING_TEXT.receivedAt(formatTime(received.at))}</p>
            <table className="w-full table-fixed text-left text-sm">
              <caption className="sr-only">{ATTRIBUTE_MAPPING_TEXT.receivedTitle}</caption>
              <thead>
                <tr className="border-b border-gray-200 text-gray-600">
                  <th scope="col" className="w-1/2 py-1 pr-3 font-medium">
                    {ATTRIBUTE_MAPPING_TEXT.receivedNameColumn}
                  </th>
                  <th scope="col" className="py-1 font-medium">
                    {ATTRIBUTE_MAPPING_TEXT.receivedValueColumn}
                  </th>
                </tr>
              </thead>
              <tbody>
                {received.attributes.map((a) => (
                  <tr key={a.name} className="border-b border-gray-100 align-top">
                    <td className="py-1 pr-3 font-mono break-all text-gray-900">{a.name}</td>
                    <td className="py-1 break-all text-gray-900">{a.values.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </div>
  );
}
