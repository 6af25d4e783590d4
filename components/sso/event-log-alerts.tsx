/** What the sign-in activity and audit-trail pages say when the log could not be read, or the API keeps none. */
import { ACTIVITY_NOT_SUPPORTED } from '@/lib/console/messages';
import { Alert } from '@/components/ui';

export function EventLogAlerts({
  loadError,
  loadErrorTitle,
  unsupported,
}: {
  loadError: string | null;
  loadErrorTitle: string;
  unsupported: boolean;
}) {
  return (
    <>
      {loadError ? (
        <Alert tone="error" title={loadErrorTitle}>
          {loadError}
        </Alert>
      ) : null}
      {unsupported ? (
        <Alert tone="warning" title={ACTIVITY_NOT_SUPPORTED.title}>
          {ACTIVITY_NOT_SUPPORTED.next}
        </Alert>
      ) : null}
    </>
  );
}
