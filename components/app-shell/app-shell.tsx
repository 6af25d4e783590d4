import Link from 'next/link';
import type { ReactNode } from 'react';
import { HeaderBar, productMarkClassName, ProductMarkContent, ShellFrame, SiteFooter } from './frame';
import { SignOutButton } from './sign-out-button';

export { SiteFooter };

export interface ShellOrg {
  name: string;
  developerId: string;
}

function ProductMark() {
  return (
    <Link href="/" className={productMarkClassName}>
      <ProductMarkContent />
    </Link>
  );
}

function OrgAndSignOut({ org }: { org: ShellOrg }) {
  return (
    <div className="flex min-w-0 items-center gap-3">
      <p className="min-w-0 truncate text-sm text-gray-700" title={org.developerId}>
        <span className="sr-only">Signed in as organization </span>
        <span className="font-medium text-gray-900">{org.name}</span>
      </p>
      <SignOutButton />
    </div>
  );
}

export function SiteHeader({ org }: { org?: ShellOrg | null }) {
  return <HeaderBar mark={<ProductMark />} end={org ? <OrgAndSignOut org={org} /> : null} />;
}

/**
 * The admin frame: header (product, org, Sign out), a centred main column, footer.
 * `main` carries id="main" for the root layout's skip link. (The root error and not-found pages
 * use ShellFrame from ./frame instead: no client code, since they load on every route.)
 */
export function AppShell({
  org,
  children,
  width = 'default',
}: {
  org?: ShellOrg | null;
  children: ReactNode;
  width?: 'default' | 'narrow';
}) {
  return (
    <ShellFrame mark={<ProductMark />} headerEnd={org ? <OrgAndSignOut org={org} /> : null} width={width}>
      {children}
    </ShellFrame>
  );
}
