import type { BrowserContext, Response } from '@playwright/test';

/** A console session token (`gxc_` + 32 random bytes, base64url) anywhere in a text. */
export const CONSOLE_TOKEN_IN_TEXT = /gxc_[A-Za-z0-9_-]{40,}/;
/** A break-glass credential (`gxbg_` + random base64url) anywhere in a text. */
export const BREAK_GLASS_IN_TEXT = /gxbg_[A-Za-z0-9_.-]{20,}/;

interface Recorded {
  /** The request's method and URL, e.g. `POST http://…/settings/sso/security` (a server action's answer). */
  url: string;
  status: number;
  headers: string;
  body: string;
}

/**
 * Records every response (headers and body) any page in the given contexts receives, including tabs opened
 * later, so a test can assert that a secret never reached the browser in any form.
 */
export class NetworkRecorder {
  private readonly pending: Promise<Recorded>[] = [];

  attach(context: BrowserContext): this {
    context.on('response', (response) => this.pending.push(this.capture(response)));
    return this;
  }

  private async capture(response: Response): Promise<Recorded> {
    // allHeaders() includes Set-Cookie, which headers() leaves out.
    const headers = await response.allHeaders().catch(() => response.headers());
    let body = '';
    try {
      body = (await response.body()).toString('latin1');
    } catch {
      // Redirects have no body; neither do responses whose page closed meanwhile.
    }
    return {
      url: `${response.request().method()} ${response.url()}`,
      status: response.status(),
      headers: Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
      body,
    };
  }

  /** Waits for every body read so far; call before closing a tab. */
  async settle(): Promise<Recorded[]> {
    return Promise.all(this.pending);
  }

  /**
   * Where any of the secrets (raw, URL-encoded, JSON-escaped, base64 or base64url) appears.
   * Returns human-readable findings; empty means clean.
   */
  async findSecrets(secrets: Record<string, string>): Promise<{ findings: string[]; responses: number }> {
    const recorded = await this.settle();
    const findings: string[] = [];
    for (const [label, secret] of Object.entries(secrets)) {
      const forms = new Set([
        secret,
        encodeURIComponent(secret),
        encodeURIComponent(secret).replace(/%20/g, '+'),
        JSON.stringify(secret).slice(1, -1),
        Buffer.from(secret).toString('base64'),
        Buffer.from(secret).toString('base64url'),
      ]);
      for (const r of recorded) {
        for (const form of forms) {
          if (r.headers.includes(form)) findings.push(`${label} in a header of ${r.status} ${r.url}`);
          if (r.body.includes(form)) findings.push(`${label} in the body of ${r.status} ${r.url}`);
        }
      }
    }
    return { findings: [...new Set(findings)], responses: recorded.length };
  }

  /** Each response (header or body) matching `pattern`, e.g. a token format whose values the test cannot know. */
  async findPattern(label: string, pattern: RegExp): Promise<string[]> {
    const recorded = await this.settle();
    const flags = pattern.flags.replace('g', '');
    const findings: string[] = [];
    for (const r of recorded) {
      if (new RegExp(pattern.source, flags).test(r.headers))
        findings.push(`${label} in a header of ${r.status} ${r.url}`);
      if (new RegExp(pattern.source, flags).test(r.body)) findings.push(`${label} in the body of ${r.status} ${r.url}`);
    }
    return [...new Set(findings)];
  }
}
