'use strict';
// Protecting a local server, in real Chromium: `corsair serve` with `allowed_hosts` and
// `refuse_disallowed_origins` in front of a local upstream that records what reaches it.
//
// - A page on another origin sends a simple POST (no preflight: the browser sends it and only
//   hides the answer). Without the guard the upstream receives it; with it, corsair answers 403
//   and the upstream never sees it. The allowed page still reads its answers.
// - DNS rebinding: a page is loaded from http://rebind.localhost:P/ (Chromium resolves every
//   *.localhost name to the loopback address); then its server goes away and corsair takes the
//   same port, as when the attacker's name is rebound to the victim's address. The page's
//   same-origin fetch now reaches corsair with `Host: rebind.localhost:P`. Without
//   `allowed_hosts` the page reads the upstream's secret; with it, it reads corsair's 421.

const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { Recorder } = require('../lib/recorder');
const { startPageServer } = require('../lib/page-server');
const { freePort } = require('../lib/ports');
const { withServers } = require('../lib/processes');
const { blockedMessage, reasons } = require('../lib/chromium-messages');
const { expectRecording, expectThat } = require('../lib/expect');

const SECRET = 'the local server\'s secret';

/** The local server: answers every path with SECRET, and records the paths it was asked for. */
async function startUpstream() {
  const port = await freePort();
  const paths = [];
  const server = http.createServer((request, response) => {
    paths.push(`${request.method} ${request.url}`);
    request.resume();
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(SECRET);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    received: (what) => paths.includes(what),
    close: () => new Promise((done) => server.close(done)),
  };
}

function configuration({ upstream, app, guarded }) {
  return [
    '[server]',
    `upstream = "${upstream}"`,
    guarded ? 'allowed_hosts = ["localhost", "127.0.0.1"]' : '',
    '',
    '[cors]',
    `allowed_origins = ["${app}"]`,
    guarded ? 'refuse_disallowed_origins = true' : '',
    '',
  ].join('\n');
}

async function run({ report, context, builds }) {
  const cli = builds.corsairCli;
  if (!cli.ok) {
    report.fail('local guard › build', `${cli.command} failed:\n${cli.error}`);
    return;
  }
  const name = (text) => `local guard › ${text}`;
  const app = await startPageServer();
  const stranger = await startPageServer();
  const upstream = await startUpstream();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'corsair-guard-'));
  const pages = [];
  try {
    const [appPage, strangerPage] = await Promise.all(
      [app, stranger].map((server) => Recorder.open(context, server.url)),
    );
    pages.push(appPage, strangerPage);
    // The rebinding page and the port corsair later takes over.
    const port = await freePort();
    const attacker = await startPageServer({ host: 'rebind.localhost', port });
    const rebindingPage = await Recorder.open(context, attacker.url);
    pages.push(rebindingPage);
    await attacker.close();

    for (const guarded of [false, true]) {
      const phase = guarded ? 'with the guard' : 'without the guard';
      const file = path.join(directory, `corsair-${guarded}.toml`);
      fs.writeFileSync(file, configuration({ upstream: upstream.url, app: app.origin, guarded }));
      await withServers(async (servers) => {
        await servers.start({
          name: `corsair serve ${phase}`,
          command: cli.binary,
          args: ['serve', '--config', file, '--listen', `127.0.0.1:${port}`],
          port,
        });
        const proxy = `http://127.0.0.1:${port}`;

        const items = `${proxy}/api/items?${guarded}`;
        expectRecording(report, name(`${phase}: the allowed page reads its answer`),
          await appPage.record({ url: items }), { outcome: 'allowed', status: 200, body: SECRET });

        const transfer = `${proxy}/api/transfer?${guarded}`;
        const post = await strangerPage.record({ url: transfer, method: 'POST', bodyType: 'text', body: 'to=attacker' });
        expectRecording(report, name(`${phase}: another site's simple POST is blocked by the browser`), post, {
          outcome: 'blocked',
          consoleMessage: blockedMessage({ url: transfer, origin: stranger.origin, reason: reasons.missingAllowOrigin() }),
        });
        const reached = upstream.received(`POST /api/transfer?${guarded}`);
        expectThat(report, name(`${phase}: the POST ${guarded ? 'never reaches' : 'reaches'} the local server`), post,
          reached === !guarded,
          `the upstream ${reached ? 'received' : 'did not receive'} POST /api/transfer?${guarded}`);

        const secret = `http://rebind.localhost:${port}/api/secret?${guarded}`;
        const rebound = await rebindingPage.record({ url: secret });
        if (guarded) {
          expectRecording(report, name('with the guard: the rebound page reads 421, not the secret'), rebound, {
            outcome: 'allowed',
            status: 421,
            body: 'corsair: this server does not answer for the host named in the request\n',
          });
        } else {
          expectRecording(report, name('without the guard: the rebound page reads the secret (the attack is real)'),
            rebound, { outcome: 'allowed', status: 200, body: SECRET });
        }
        const leaked = upstream.received(`GET /api/secret?${guarded}`);
        expectThat(report, name(`${phase}: the rebound request ${guarded ? 'never reaches' : 'reaches'} the local server`),
          rebound, leaked === !guarded,
          `the upstream ${leaked ? 'received' : 'did not receive'} GET /api/secret?${guarded}`);
      });
    }
  } finally {
    for (const page of pages) await page.close();
    await Promise.all([app, stranger].map((server) => server.close()));
    await upstream.close();
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

module.exports = { name: 'local guard', builds: ['corsairCli'], run };
