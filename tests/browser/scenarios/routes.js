'use strict';
// Policies per route, in real Chromium: `corsair serve` with the routes of the README (a
// credentialed default policy for the app, public paths for every origin without credentials, a
// partner with its own origin), in front of an upstream with no CORS of its own. A page on an
// unlisted origin reads /public/ and is blocked on /api/; the partner reads /partner/ with
// credentials and nothing else.

const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { Recorder } = require('../lib/recorder');
const { startPageServer } = require('../lib/page-server');
const { freePort } = require('../lib/ports');
const { withServers } = require('../lib/processes');
const { blockedMessage, reasons } = require('../lib/chromium-messages');
const { expectRecording } = require('../lib/expect');

/** An upstream answering every path with a small JSON body and no CORS header. */
async function startUpstream() {
  const port = await freePort();
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ path: request.url }));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(done)) };
}

function configuration({ upstream, app, partner }) {
  return [
    '[server]',
    `upstream = "${upstream}"`,
    '',
    '[cors]',
    `allowed_origins = ["${app}"]`,
    'allow_credentials = true',
    '',
    '[[cors.routes]]',
    'path = "^/public/"',
    'allow_all_origins = true',
    'allow_credentials = false',
    '',
    '[[cors.routes]]',
    'path = "^/partner/"',
    `allowed_origins = ["${partner}"]`,
    '',
  ].join('\n');
}

async function run({ report, context, builds }) {
  const cli = builds.corsairCli;
  if (!cli.ok) {
    report.fail('routes › build', `${cli.command} failed:\n${cli.error}`);
    return;
  }
  const app = await startPageServer();
  const partner = await startPageServer();
  const stranger = await startPageServer();
  const upstream = await startUpstream();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'corsair-routes-'));
  const pages = [];
  try {
    await withServers(async (servers) => {
      const file = path.join(directory, 'corsair.toml');
      fs.writeFileSync(file, configuration({ upstream: upstream.url, app: app.origin, partner: partner.origin }));
      const port = await freePort();
      await servers.start({
        name: 'corsair serve with routes',
        command: cli.binary,
        args: ['serve', '--config', file, '--listen', `127.0.0.1:${port}`],
        port,
      });
      const proxy = `http://127.0.0.1:${port}`;
      const [appPage, partnerPage, strangerPage] = await Promise.all(
        [app, partner, stranger].map((server) => Recorder.open(context, server.url)),
      );
      pages.push(appPage, partnerPage, strangerPage);
      const name = (text) => `routes › ${text}`;
      const blocked = (page, url, reason) => ({
        outcome: 'blocked',
        consoleMessage: blockedMessage({ url, origin: page, reason }),
      });

      const publicFeed = await strangerPage.record({ url: `${proxy}/public/feed` });
      expectRecording(report, name('an unlisted origin reads /public/ without credentials'), publicFeed, {
        outcome: 'allowed',
        status: 200,
      });
      const api = `${proxy}/api/items`;
      expectRecording(report, name('an unlisted origin is blocked on /api/'), await strangerPage.record({ url: api }),
        blocked(stranger.origin, api, reasons.missingAllowOrigin()));

      const orders = `${proxy}/partner/orders`;
      expectRecording(report, name('the partner reads /partner/ with credentials'),
        await partnerPage.record({ url: orders, credentials: 'include' }), { outcome: 'allowed', status: 200 });
      expectRecording(report, name('the partner is blocked on /api/'),
        await partnerPage.record({ url: api, credentials: 'include' }),
        blocked(partner.origin, api, reasons.missingAllowOrigin()));
      const publicCredentialed = `${proxy}/public/feed`;
      expectRecording(report, name('the partner cannot read /public/ with credentials (the wildcard)'),
        await partnerPage.record({ url: publicCredentialed, credentials: 'include' }),
        blocked(partner.origin, publicCredentialed, reasons.wildcardWithCredentials()));

      expectRecording(report, name('the app reads /api/ with credentials (the default policy)'),
        await appPage.record({ url: api, credentials: 'include' }), { outcome: 'allowed', status: 200 });
      expectRecording(report, name("the app is blocked on /partner/ (the route's list replaces the app's)"),
        await appPage.record({ url: orders, credentials: 'include' }),
        blocked(app.origin, orders, reasons.missingAllowOrigin()));
    });
  } finally {
    for (const page of pages) await page.close();
    await Promise.all([app, partner, stranger].map((server) => server.close()));
    await upstream.close();
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

module.exports = { name: 'routes', builds: ['corsairCli'], run };
