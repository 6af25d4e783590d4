import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvError, loadConsoleEnv } from '@/lib/env';

const strongSecret = 'x'.repeat(40);

function tempDir() {
  return mkdtempSync(path.join(tmpdir(), 'console-env-'));
}

describe('loadConsoleEnv', () => {
  it('applies development defaults', () => {
    const env = loadConsoleEnv({ NEXTAUTH_SECRET: strongSecret }, { dataDir: tempDir() });
    expect(env.APP_URL).toBe('http://localhost:3000');
    expect(env.GRANTEX_URL).toBe('http://localhost:3001');
    expect(env.CONSOLE_DEMO_SIGNUP).toBe(true);
    expect(env.RATE_LIMIT).toBe(true);
    expect(env.secureCookies).toBe(false);
    expect(env.TRUSTED_PROXIES).toEqual([]);
  });

  it('accepts NEXTAUTH_URL as an alias and prefers APP_URL', () => {
    const dataDir = tempDir();
    expect(
      loadConsoleEnv({ NEXTAUTH_URL: 'https://c.example/', NEXTAUTH_SECRET: strongSecret }, { dataDir }).APP_URL,
    ).toBe('https://c.example');
    const both = loadConsoleEnv(
      { APP_URL: 'https://a.example', NEXTAUTH_URL: 'https://b.example', NEXTAUTH_SECRET: strongSecret },
      { dataDir },
    );
    expect(both.APP_URL).toBe('https://a.example');
    expect(both.secureCookies).toBe(true);
  });

  it('treats empty strings as unset', () => {
    const env = loadConsoleEnv({ APP_URL: '', GRANTEX_URL: '', NEXTAUTH_SECRET: strongSecret }, { dataDir: tempDir() });
    expect(env.APP_URL).toBe('http://localhost:3000');
  });

  it('refuses to start in production without a strong secret, without echoing values', () => {
    expect(() => loadConsoleEnv({ NODE_ENV: 'production' }, { dataDir: tempDir() })).toThrow(
      /NEXTAUTH_SECRET is required/,
    );
    let message = '';
    try {
      loadConsoleEnv({ NODE_ENV: 'production', NEXTAUTH_SECRET: 'short-secret-value' }, { dataDir: tempDir() });
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/at least 32 characters/);
    expect(message).not.toContain('short-secret-value');
  });

  it('production defaults: no demo signup', () => {
    const env = loadConsoleEnv({
      NODE_ENV: 'production',
      NEXTAUTH_SECRET: strongSecret,
      GRANTEX_CONSOLE_SECRET: strongSecret,
      APP_URL: 'https://c.example',
    });
    expect(env.CONSOLE_DEMO_SIGNUP).toBe(false);
    expect(env.isProduction).toBe(true);
  });

  it('refuses to start in production without the console secret shared with the service, naming only the variable', () => {
    const prod = { NODE_ENV: 'production', NEXTAUTH_SECRET: strongSecret, APP_URL: 'https://c.example' };
    expect(() => loadConsoleEnv(prod)).toThrow(/GRANTEX_CONSOLE_SECRET is required in production/);
    expect(() => loadConsoleEnv({ ...prod, GRANTEX_CONSOLE_SECRET: 'short-console-value' })).toThrow(
      /GRANTEX_CONSOLE_SECRET/,
    );
    expect(() => loadConsoleEnv({ ...prod, GRANTEX_CONSOLE_SECRET: 'short-console-value' })).not.toThrow(
      /short-console-value/,
    );
    // Development: optional (the member address is then simply not sent); per-address limits have defaults.
    const dev = loadConsoleEnv({ NEXTAUTH_SECRET: strongSecret }, { dataDir: tempDir() });
    expect(dev.GRANTEX_CONSOLE_SECRET).toBeUndefined();
    expect(dev).toMatchObject({ RATE_LIMIT_SSO_START_PER_MIN: 30, RATE_LIMIT_LOGIN_EMAIL_PER_MIN: 20 });
  });

  it('generates a development secret once, in a 0600 file, and reuses it', () => {
    const dataDir = tempDir();
    const first = loadConsoleEnv({}, { dataDir });
    const second = loadConsoleEnv({}, { dataDir });
    expect(first.NEXTAUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(second.NEXTAUTH_SECRET).toBe(first.NEXTAUTH_SECRET);
    const file = path.join(dataDir, 'dev-secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).nextauthSecret).toBe(first.NEXTAUTH_SECRET);
  });

  it('keeps other entries of an existing dev-secrets file', () => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'dev-secrets.json'), JSON.stringify({ other: 'kept' }));
    loadConsoleEnv({}, { dataDir });
    expect(JSON.parse(readFileSync(path.join(dataDir, 'dev-secrets.json'), 'utf8')).other).toBe('kept');
  });

  it('rejects invalid values with the variable name', () => {
    expect(() =>
      loadConsoleEnv({ GRANTEX_URL: 'ftp://x', NEXTAUTH_SECRET: strongSecret }, { dataDir: tempDir() }),
    ).toThrow(/GRANTEX_URL/);
    expect(() =>
      loadConsoleEnv({ RATE_LIMIT: 'maybe', NEXTAUTH_SECRET: strongSecret }, { dataDir: tempDir() }),
    ).toThrow(/RATE_LIMIT/);
  });

  it('parses booleans and lists', () => {
    const env = loadConsoleEnv(
      {
        CONSOLE_DEMO_SIGNUP: 'false',
        RATE_LIMIT: 'off',
        TRUSTED_PROXIES: '10.0.0.1, 10.1.0.0/16',
        NEXTAUTH_SECRET: strongSecret,
      },
      { dataDir: tempDir() },
    );
    expect(env.CONSOLE_DEMO_SIGNUP).toBe(false);
    expect(env.RATE_LIMIT).toBe(false);
    expect(env.TRUSTED_PROXIES).toEqual(['10.0.0.1', '10.1.0.0/16']);
  });
});
