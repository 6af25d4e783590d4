/**
 * "Sign in with SSO" by work email: a plain form to POST /sso/start (`mode=console`), so it works without
 * JavaScript. The domain of the email picks the organization (a domain it verified); its IdP signs the person
 * in, and their IdP groups decide their console role. An error comes back as `?sso_error=` with what they typed.
 */
import { Alert, Field, Input } from '@/components/ui';
import { SubmitButton } from '@/components/sso/submit-button';

export function SsoSignInForm({ error, email }: { error?: string; email: string }) {
  return (
    <form method="post" action="/sso/start" className="space-y-4" noValidate>
      <input type="hidden" name="mode" value="console" />
      {error ? (
        <Alert tone="error" id="sso-signin-error">
          {error}
        </Alert>
      ) : null}
      <Field id="sso-signin-email" label="Work email" hint="You are sent to your organization’s identity provider.">
        <Input
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={email}
          autoFocus={Boolean(error)}
          {...(error ? { 'aria-invalid': true as const } : {})}
        />
      </Field>
      <SubmitButton className="w-full">Sign in with SSO</SubmitButton>
    </form>
  );
}
