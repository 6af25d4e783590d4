/**
 * How this project launches Debian's chromium (Playwright cannot download its own browser here): one place
 * for the e2e suite and the benchmark. The flags keep a headless root run quiet on a closed network
 * (see "Debian's Chromium" in docs/ARCHITECTURE.md); CHROMIUM_PATH points at another binary.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
