'use strict';
// Local Network Access, in real Chromium: a page on a public origin served over plain http
// calls `corsair serve` on loopback. Chromium blocks it whatever the server answers (the page is
// not a secure context), and `corsair check` must say so in Chromium's own words while its CORS
// verdict stays the headers' (allowed). The page's name resolves to 127.0.0.1
// (--host-resolver-rules) and its port is declared public (--ip-address-space-overrides), in a
// Chromium of its own.

const { chromium } = require('playwright-core');
const { CHROMIUM_ARGS } = require('../lib/browser');
const { Recorder, summarizeRecording } = require('../lib/recorder');
const { startPageServer } = require('../lib/page-server');
const { freePort } = require('../lib/ports');
const { withServers } = require('../lib/processes');
const { predict } = require('../lib/corsair-check');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PUBLIC_HOST = 'shop.example';

async function run({ report, builds }) {
  const cli = builds.corsairCli;
  if (!cli.ok) {
    report.fail('local network › build', `${cli.command} failed:\n${cli.error}`);
    return;
  }
  const page = await startPageServer({ host: PUBLIC_HOST });
  const pagePort = new URL(page.origin).port;
  let browser;
  try {
    await withServers(async (servers) => {
      const port = await freePort();
      // No upstream is needed: the preflight-free GET is refused before it is sent.
      await servers.start({
        name: 'corsair serve',
        command: cli.binary,
        args: ['serve', '--listen', `127.0.0.1:${port}`, '--upstream', 'http://127.0.0.1:9', '--allow-origin', page.origin],
        port,
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [
          ...CHROMIUM_ARGS,
          `--host-resolver-rules=MAP ${PUBLIC_HOST} 127.0.0.1`,
          `--ip-address-space-overrides=127.0.0.1:${pagePort}=public`,
        ],
      });
      const context = await browser.newContext();
      const recorder = await Recorder.open(context, page.url);
      const call = { url: `http://127.0.0.1:${port}/api/items` };
      const recording = await recorder.record(call);
      await recorder.close();
      const expected = `Access to fetch at '${call.url}' from origin '${page.origin}' has been blocked by CORS policy: The request client is not a secure context and the resource is in more-private address space \`loopback\`.`;
      report.check(
        'local network › Chromium blocks an insecure public page calling loopback',
        recording.outcome === 'blocked' && recording.consoleMessage === expected && recording.corsError === 'InsecureLocalNetwork',
        `expected: ${expected}\nrecorded: ${summarizeRecording(recording)}`,
      );
      const checked = await predict(cli.binary, { ...call, credentials: 'same-origin' }, page.origin);
      if (checked.error) {
        report.fail('local network › corsair check ran', `${checked.error}\ncommand: ${checked.commandLine}`);
        return;
      }
      const warning = (checked.prediction.warnings ?? []).find((w) => w.id === 'local-network-access');
      report.check(
        "local network › corsair check quotes Chromium's message, whatever the CORS verdict",
        checked.prediction.verdict === 'allowed' && Boolean(warning) && warning.message.includes(`\`${recording.consoleMessage}\``),
        `verdict ${checked.prediction.verdict}; warning: ${JSON.stringify(warning)}\nChromium: ${recording.consoleMessage}\ncommand: ${checked.commandLine}`,
      );
    });
  } finally {
    if (browser) await browser.close();
    await page.close();
  }
}

module.exports = { name: 'local network', builds: ['corsairCli'], run };
