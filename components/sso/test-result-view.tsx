import { Alert } from '@/components/ui/alert';
import type { TestResult } from '@/lib/console/member-login/test-result-schema';
import { testFailureTitle } from '@/lib/console/messages';
import { displayText } from '@/lib/console/utils/display-text';
import { IdentityList } from './identity-list';
import { formatTime } from './format-time';

/**
 * A finished test sign-in. No client code of its own: the result page renders it on the server
 * (no JavaScript for it), the settings page's polling panel renders it in the browser.
 */
export function TestResultView({ result }: { result: Exclude<TestResult, { status: 'pending' }> }) {
  if (result.status === 'success') {
    return (
      <div className="space-y-3">
        <Alert tone="success" title="Test sign-in succeeded">
          Finished <time dateTime={result.finishedAt}>{formatTime(result.finishedAt)}</time>. Grantex resolved this
          identity:
        </Alert>
        <IdentityList identity={result.identity} />
      </div>
    );
  }
  return (
    <Alert tone="error" title={testFailureTitle(result.stage)}>
      <p className="break-words">{displayText(result.error.message, 500)}</p>
      <p className="mt-1 text-xs">
        {result.error.code ? <>Code: {displayText(result.error.code, 100)} · </> : null}
        {result.error.requestId ? <>Request ID: {displayText(result.error.requestId, 100)} · </> : null}
        <time dateTime={result.finishedAt}>{formatTime(result.finishedAt)}</time>
      </p>
    </Alert>
  );
}
