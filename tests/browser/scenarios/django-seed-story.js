'use strict';
// Scenario 2, the seed story: a Django JSON API without any CORS middleware (tests/django_app),
// called by a frontend on another origin, is blocked by Chromium; the same API behind
// `corsair serve`, configured only with the django-cors-headers environment variables
// CORS_ALLOWED_ORIGINS and CORS_ALLOW_CREDENTIALS, works — and other origins stay blocked.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Recorder } = require('../lib/recorder');
const { startPageServer } = require('../lib/page-server');
const { freePort } = require('../lib/ports');
const { withServers } = require('../lib/processes');
const { REPO_ROOT } = require('../lib/cargo');
const { blockedMessage, reasons, inPreflight } = require('../lib/chromium-messages');
const { expectRecording, expectThat, jsonBody } = require('../lib/expect');

const VENV_PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');
const DJANGO_MANAGE = path.join('tests', 'django_app', 'manage.py');

async function startDjango(servers) {
  if (!fs.existsSync(VENV_PYTHON)) {
    throw new Error(
      `no Python venv at ${VENV_PYTHON}; create it from the repository root with ` +
        '`python3 -m venv .venv && .venv/bin/pip install django`',
    );
  }
  const port = await freePort();
  await servers.start({
    name: 'Django test API',
    command: VENV_PYTHON,
    // --noreload: the autoreloader forks a child that would outlive a kill of this PID.
    args: [DJANGO_MANAGE, 'runserver', '--noreload', `127.0.0.1:${port}`],
    cwd: REPO_ROOT,
    env: { PYTHONUNBUFFERED: '1' },
    port,
  });
  return `http://127.0.0.1:${port}`;
}

/** `corsair serve` in front of `upstream`, configured only through CORS_* environment variables. */
async function startProxy(servers, { binary, upstream, allowedOrigin }) {
  const port = await freePort();
  await servers.start({
    name: 'corsair serve',
    command: binary,
    args: ['serve', '--listen', `127.0.0.1:${port}`, '--upstream', upstream],
    env: { CORS_ALLOWED_ORIGINS: allowedOrigin, CORS_ALLOW_CREDENTIALS: 'true' },
    port,
  });
  return `http://127.0.0.1:${port}`;
}

async function run({ report, context, builds }) {
  const frontend = await startPageServer();
  const otherFrontend = await startPageServer();
  const pages = [];
  try {
    await withServers(async (servers) => {
      const django = await startDjango(servers);
      const page = await Recorder.open(context, frontend.url);
      const stranger = await Recorder.open(context, otherFrontend.url);
      pages.push(page, stranger);
      const postEcho = (base, payload) => ({
        url: `${base}/api/echo`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        bodyType: 'text',
        body: JSON.stringify(payload),
        credentials: 'include',
      });

      // Before: Django alone. The server answers (a CORS block, not a dead server), Chromium refuses.
      const direct = await page.record({ url: `${django}/api/hello` });
      expectRecording(report, 'django alone › GET /api/hello from another origin is blocked', direct, {
        outcome: 'blocked',
        receivedStatus: 200,
        consoleMessage: blockedMessage({
          url: `${django}/api/hello`,
          origin: frontend.origin,
          reason: reasons.missingAllowOrigin(),
        }),
      });
      const directPost = await page.record(postEcho(django, { seed: 'story' }));
      expectRecording(report, "django alone › POST JSON is blocked at Django's preflight answer", directPost, {
        outcome: 'blocked',
        preflight: true,
        consoleMessage: blockedMessage({
          url: `${django}/api/echo`,
          origin: frontend.origin,
          reason: inPreflight(reasons.missingAllowOrigin()),
        }),
      });

      // After: the same Django behind corsair serve.
      const cli = builds.corsairCli;
      if (!cli.ok) {
        report.fail('django behind corsair serve › build', `${cli.command} failed:\n${cli.error}`);
        return;
      }
      const proxy = await startProxy(servers, { binary: cli.binary, upstream: django, allowedOrigin: frontend.origin });
      const session = `session-${crypto.randomUUID()}`;
      await context.addCookies([
        { name: 'session', value: session, url: `https://127.0.0.1:${new URL(proxy).port}`, sameSite: 'None', secure: true },
      ]);
      const name = (text) => `django behind corsair serve › ${text}`;

      const hello = await page.record({ url: `${proxy}/api/hello` });
      expectRecording(report, name('GET /api/hello is allowed'), hello, { outcome: 'allowed', status: 200 });
      expectThat(report, name("GET /api/hello returns Django's JSON"), hello,
        jsonBody(hello)?.message === 'hello from django', `got body ${JSON.stringify(hello.body)}`);

      const payload = { order: crypto.randomUUID(), items: [1, 2, 3] };
      const echo = await page.record(postEcho(proxy, payload));
      expectRecording(report, name('credentialed POST with JSON is preflighted and allowed'), echo, {
        outcome: 'allowed',
        status: 200,
        preflight: true,
      });
      const echoed = jsonBody(echo);
      expectThat(
        report,
        name('the POST reaches Django with its JSON body and the session cookie'),
        echo,
        echoed?.method === 'POST' && JSON.stringify(echoed?.body) === JSON.stringify(payload) && echoed?.session === session,
        `expected method POST, body ${JSON.stringify(payload)}, session ${session}; got ${echo.body}`,
      );

      const whoami = await page.record({ url: `${proxy}/api/whoami`, credentials: 'include' });
      expectThat(report, name('credentialed GET /api/whoami carries the session cookie'), whoami,
        whoami.outcome === 'allowed' && jsonBody(whoami)?.session === session,
        `expected allowed with session ${session}, got ${whoami.outcome} ${whoami.body}`);

      const forbidden = await page.record({ url: `${proxy}/api/forbidden` });
      expectRecording(report, name("Django's 403 is readable by script"), forbidden, { outcome: 'allowed', status: 403 });

      const ownHeaders = await page.record({ url: `${proxy}/api/with-cors-headers`, credentials: 'include' });
      expectRecording(
        report,
        name("the upstream's own Access-Control-Allow-Origin: * is replaced (credentialed GET allowed)"),
        ownHeaders,
        { outcome: 'allowed', status: 200 },
      );

      // The social-login trap: the proxy's 302 passes CORS, the login provider it points to
      // (here another origin that sends no CORS headers) does not. Navigation is the fix, not CORS.
      const provider = `${otherFrontend.origin}/authorize`;
      const loginUrl = `${proxy}/api/redirect?to=${encodeURIComponent(provider)}`;
      const login = await page.record({ url: loginUrl, credentials: 'include' });
      expectRecording(report, name('a fetch redirected to a login provider on another origin is blocked there'), login, {
        outcome: 'blocked',
        consoleMessage: blockedMessage({
          url: provider,
          redirectedFrom: loginUrl,
          origin: frontend.origin,
          reason: reasons.missingAllowOrigin(),
        }),
      });

      const strangerGet = await stranger.record({ url: `${proxy}/api/hello` });
      expectRecording(report, name('a disallowed origin stays blocked'), strangerGet, {
        outcome: 'blocked',
        consoleMessage: blockedMessage({
          url: `${proxy}/api/hello`,
          origin: otherFrontend.origin,
          reason: reasons.missingAllowOrigin(),
        }),
      });
      const strangerPost = await stranger.record(postEcho(proxy, payload));
      expectRecording(report, name("a disallowed origin's preflight is refused"), strangerPost, {
        outcome: 'blocked',
        preflight: true,
        consoleMessage: blockedMessage({
          url: `${proxy}/api/echo`,
          origin: otherFrontend.origin,
          reason: inPreflight(reasons.missingAllowOrigin()),
        }),
      });

      // The upstream is gone: the proxy's 502 carries CORS headers, so the frontend can read it.
      const deadUpstream = `http://127.0.0.1:${await freePort()}`;
      const orphanProxy = await startProxy(servers, {
        binary: cli.binary,
        upstream: deadUpstream,
        allowedOrigin: frontend.origin,
      });
      const unreachable = await page.record({ url: `${orphanProxy}/api/hello` });
      expectRecording(report, 'corsair serve with a dead upstream › the 502 is readable by script', unreachable, {
        outcome: 'allowed',
        status: 502,
      });
    });
  } finally {
    for (const page of pages) await page.close();
    await context.clearCookies();
    await frontend.close();
    await otherFrontend.close();
  }
}

module.exports = { name: 'django seed story', builds: ['corsairCli'], run };
