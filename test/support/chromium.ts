// How every browser test starts Chromium: Debian's /usr/bin/chromium (never a
// downloaded browser) with the flags this machine's closed network needs.
import { existsSync } from 'node:fs';

/** Debian's Chromium, installed by `pnpm ensure-browser` when missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** Without the background-networking flags Chromium keeps dialing hosts it cannot reach. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Options for playwright-core's `chromium.launch`; throws when Chromium is missing,
 * because a browser test is never skipped.
 */
export function chromiumLaunchOptions(): { executablePath: string; args: string[]; headless: true; timeout: number } {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: run packages/web-demo/scripts/ensure-chromium.sh (installs Debian's chromium with apt-get). The browser test is not skipped.`,
    );
  return { executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true, timeout: 30_000 };
}
