/**
 * The provider picker: a native radio group, and one server-rendered guide per provider that CSS shows when
 * its radio is checked. No JavaScript is involved (it works with scripts off and costs the page nothing);
 * arrow keys move through the radios as in any radio group. `?provider=<id>` preselects one (a link target).
 */
import type { ReactNode } from 'react';
import { CodeValue } from '@/components/ui/code-value';
import { cn } from '@/components/ui/cn';
import { PROVIDER_GUIDES, SCOPES, type ProviderGuide, type ProviderId } from './provider-guides';

// Literal class names (Tailwind only generates classes it finds in the source): each panel is shown while its
// radio is checked, via :has() on the picker's container.
const SHOW_WHEN_CHECKED: Record<ProviderId, string> = {
  okta: 'group-has-[#sso-provider-okta:checked]/guide:block',
  entra: 'group-has-[#sso-provider-entra:checked]/guide:block',
  google: 'group-has-[#sso-provider-google:checked]/guide:block',
  auth0: 'group-has-[#sso-provider-auth0:checked]/guide:block',
  keycloak: 'group-has-[#sso-provider-keycloak:checked]/guide:block',
  other: 'group-has-[#sso-provider-other:checked]/guide:block',
};

/** Renders `code` spans for text between backticks. */
function Rich({ text }: { text: string }) {
  return (
    <>
      {text.split('`').map((part, i) =>
        i % 2 === 1 ? (
          <code key={i} className="rounded bg-gray-100 px-1 py-0.5 font-mono text-[0.8125rem] break-all text-gray-900">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt className="font-medium text-gray-900">{term}</dt>
      <dd className="text-gray-700">{children}</dd>
    </>
  );
}

function GuidePanel({ guide, redirectUri }: { guide: ProviderGuide; redirectUri: string }) {
  const headingId = `sso-guide-${guide.id}-title`;
  return (
    <section aria-labelledby={headingId} className={cn('hidden space-y-4', SHOW_WHEN_CHECKED[guide.id])}>
      <h3 id={headingId} className="text-sm font-semibold text-gray-900">
        {guide.name} setup
      </h3>
      <ol className="list-decimal space-y-1 pl-5 text-sm text-gray-700">
        {guide.create.map((step) => (
          <li key={step}>
            <Rich text={step} />
          </li>
        ))}
      </ol>
      {guide.console ? (
        <p className="text-sm">
          <a
            href={guide.console.href}
            target="_blank"
            rel="noopener noreferrer"
            className="font-medium text-indigo-700 underline"
          >
            Open the {guide.console.label}
            <span className="sr-only"> (opens in a new tab)</span>
          </a>
        </p>
      ) : null}
      <div className="space-y-2">
        <p className="text-sm text-gray-700">
          Register this redirect URI as <span className="font-medium text-gray-900">{guide.redirectField}</span>:
        </p>
        <CodeValue value={redirectUri} copyLabel="Copy redirect URI" />
      </div>
      <dl className="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        {guide.values.map((v) => (
          <Row key={v.field} term={v.field}>
            <Rich text={v.from} />
          </Row>
        ))}
        <Row term="Issuer shape">
          <ul className="space-y-1">
            {guide.issuers.map((issuer) => (
              <li key={issuer.shape}>
                <code className="font-mono text-[0.8125rem] break-all text-gray-900">{issuer.shape}</code>
                {issuer.note ? <span className="text-gray-600"> ({issuer.note})</span> : null}
              </li>
            ))}
          </ul>
        </Row>
        <Row term="Scopes">
          <code className="font-mono text-[0.8125rem] text-gray-900">{SCOPES}</code> (requested at every sign-in)
        </Row>
        {guide.logout ? (
          <Row term="Logout">
            <Rich text={guide.logout} />
          </Row>
        ) : null}
      </dl>
      {guide.tips?.length ? (
        <ul className="list-disc space-y-1 pl-5 text-sm text-gray-700">
          {guide.tips.map((tip) => (
            <li key={tip}>
              <Rich text={tip} />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function ProviderGuide({ redirectUri, initial }: { redirectUri: string; initial: ProviderId | null }) {
  return (
    <div className="group/guide space-y-5">
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-gray-900">Identity provider</legend>
        <div className="flex flex-wrap gap-2">
          {PROVIDER_GUIDES.map((guide) => (
            <label
              key={guide.id}
              htmlFor={`sso-provider-${guide.id}`}
              className={cn(
                'flex cursor-pointer items-center gap-2 rounded-md border border-gray-300 bg-white px-3 py-1.5 text-sm text-gray-900',
                'hover:bg-gray-50 has-[:checked]:border-indigo-600 has-[:checked]:bg-indigo-50 has-[:checked]:text-indigo-900',
                'has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-indigo-600',
              )}
            >
              <input
                type="radio"
                id={`sso-provider-${guide.id}`}
                name="sso-provider"
                value={guide.id}
                defaultChecked={guide.id === initial}
                className="h-4 w-4 accent-indigo-600"
              />
              {guide.name}
            </label>
          ))}
        </div>
      </fieldset>
      <p className="text-sm text-gray-600 group-has-[:checked]/guide:hidden">
        Choose your provider to see where to create the app and where each value below comes from.
      </p>
      {PROVIDER_GUIDES.map((guide) => (
        <GuidePanel key={guide.id} guide={guide} redirectUri={redirectUri} />
      ))}
    </div>
  );
}
