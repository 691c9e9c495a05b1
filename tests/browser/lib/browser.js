'use strict';
// Launches Debian's Chromium (never a downloaded browser) with a fresh profile that accepts
// third-party cookies, so that credentialed cross-site requests carry the cookies a test seeds.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Switches that keep headless Chromium quiet on a machine without internet access.
// Never add `--disable-features=`: it would replace Playwright's own list (the last switch wins).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
];

/** Writes the profile preference that turns off headless Chromium's third-party cookie blocking. */
function writeProfilePreferences(userDataDir) {
  const defaultDir = path.join(userDataDir, 'Default');
  fs.mkdirSync(defaultDir, { recursive: true });
  const preferences = { profile: { cookie_controls_mode: 0 } };
  fs.writeFileSync(path.join(defaultDir, 'Preferences'), JSON.stringify(preferences));
}

/**
 * Starts Chromium with a fresh user-data-dir. Returns { context, close } where `context` is a
 * Playwright BrowserContext and `close()` stops the browser and removes the profile.
 */
async function launchChromium() {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH} (install it with: apt-get install -y chromium)`);
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'corsair-chromium-'));
  writeProfilePreferences(userDataDir);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  async function close() {
    try {
      await context.close();
    } finally {
      fs.rmSync(userDataDir, { recursive: true, force: true });
    }
  }
  return { context, close };
}

module.exports = { launchChromium, CHROMIUM_ARGS };
