import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium package (.ci/run installs it when missing). */
export const CHROMIUM = process.env.SPANLEDGER_CHROMIUM ?? '/usr/bin/chromium';

/**
 * A headless system Chromium driven by playwright-core: no downloaded browser, no network of
 * its own (no background fetches, no component updates), a fresh profile per launch.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set SPANLEDGER_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
