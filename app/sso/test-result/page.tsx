/**
 * The test tab's last stop: the outcome of the admin's test sign-in (also shown, by polling, on
 * the connection's page, with a link back to it). Admin or setup-link user; the member session is untouched by a test.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { cookies } from 'next/headers';
import { requireConnectionsActor } from '@/lib/auth';
import { buttonClasses } from '@/components/ui';
import { PublicFrame } from '@/components/sso/public-frame';
import { TestResultView } from '@/components/sso/test-result-view';
import { readTestResult, TEST_RESULT_COOKIE } from '@/lib/console/member-login/test-result';
import { sealingSecret } from '@/lib/console/utils/cookie-options';
import { connectionPath, SSO_SETTINGS_PATH } from '@/lib/console/settings/paths';

export const metadata: Metadata = { title: 'Test sign-in result', referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

export default async function TestResultPage() {
  const admin = await requireConnectionsActor('/sso/test-result');
  const result = await readTestResult(
    (await cookies()).get(TEST_RESULT_COOKIE)?.value,
    admin.developerId,
    sealingSecret(),
  );
  const back = result?.connectionId ? connectionPath(result.connectionId) : SSO_SETTINGS_PATH;
  return (
    <PublicFrame title="Test sign-in">
      {!result ? (
        <p>No test sign-in has been run from this browser yet.</p>
      ) : result.status === 'pending' ? (
        <p>The test sign-in has not finished yet. Complete it at your identity provider.</p>
      ) : (
        <TestResultView result={result} />
      )}
      <p>The connection’s page shows this result too; you can close this tab.</p>
      <Link href={back} className={buttonClasses('secondary', 'md', 'w-full')}>
        {result?.connectionId ? 'Back to the connection' : 'Back to SSO settings'}
      </Link>
    </PublicFrame>
  );
}
