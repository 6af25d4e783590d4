'use client';
/**
 * "OpenID Connect / SAML 2.0" on /settings/sso/new: a GET form (`?protocol=saml`), so it works without
 * JavaScript (its "Show form" button then loads the chosen form); with JavaScript choosing a radio shows that form
 * at once (the page stays where it is, focus stays on the radio).
 */
import { useRouter } from 'next/navigation';
import { cn } from '@/components/ui/cn';
import { buttonClasses } from '@/components/ui/button';
import { CHOICE_CHIP } from './choice-chip';

export type ConnectionProtocolChoice = 'oidc' | 'saml';

const PROTOCOLS = [
  { id: 'oidc', label: 'OpenID Connect', hint: 'Okta, Entra ID, Google Workspace, Auth0, Keycloak…' },
  { id: 'saml', label: 'SAML 2.0', hint: 'ADFS, Shibboleth, PingFederate, older Okta and OneLogin apps…' },
] as const;

export function ProtocolChoice({ value, path }: { value: ConnectionProtocolChoice; path: string }) {
  const router = useRouter();
  return (
    <form method="get" action={path} className="space-y-3">
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-gray-900">Protocol</legend>
        <div className="flex flex-wrap gap-2">
          {PROTOCOLS.map((p) => (
            <div key={p.id} className={cn('py-2', CHOICE_CHIP)}>
              <label htmlFor={`protocol-${p.id}`} className="flex cursor-pointer items-center gap-2 font-medium">
                <input
                  type="radio"
                  id={`protocol-${p.id}`}
                  name="protocol"
                  value={p.id}
                  defaultChecked={p.id === value}
                  aria-describedby={`protocol-${p.id}-hint`}
                  className="h-4 w-4 accent-indigo-600"
                  onChange={() =>
                    router.replace(p.id === 'oidc' ? path : `${path}?protocol=${p.id}`, { scroll: false })
                  }
                />
                {p.label}
              </label>
              <p id={`protocol-${p.id}-hint`} className="pl-6 text-gray-600">
                {p.hint}
              </p>
            </div>
          ))}
        </div>
      </fieldset>
      <noscript>
        <button type="submit" className={buttonClasses('secondary', 'sm')}>
          Show form
        </button>
      </noscript>
    </form>
  );
}
