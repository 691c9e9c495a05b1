'use strict';
// corsair's Python middlewares in real servers, called by real Chromium: the seed story with
// `corsair_cors.middleware.CorsMiddleware` inside the Django test API (tests/django_app under
// runserver, settings api.settings_corsair), a page on http://localhost:8080 calling it with and
// without credentials and with a preflighted PUT; the same calls to a FastAPI app under uvicorn
// with `corsair_cors.asgi.CORSMiddleware`; and a configuration corsair refuses, which stops each
// server at start with corsair's message. Needs the corsair-cors wheel, FastAPI and uvicorn in
// .venv (scripts/test-all installs them).

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Recorder } = require('../lib/recorder');
const { startPageServer } = require('../lib/page-server');
const { freePort } = require('../lib/ports');
const { withServers, runCommand } = require('../lib/processes');
const { REPO_ROOT } = require('../lib/cargo');
const { blockedMessage, reasons, inPreflight } = require('../lib/chromium-messages');
const { expectRecording, expectThat, jsonBody } = require('../lib/expect');

const VENV_PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');
const DJANGO_APP = path.join(REPO_ROOT, 'tests', 'django_app');
const ASGI_APP_DIR = path.join(REPO_ROOT, 'tests', 'python_middlewares');
// The seed story's frontend.
const FRONTEND_PORT = 8080;

function djangoCommand(port) {
  // --noreload: the autoreloader forks a child that would outlive a kill of this PID.
  return { command: VENV_PYTHON, args: ['manage.py', 'runserver', '--noreload', `127.0.0.1:${port}`], cwd: DJANGO_APP };
}

function djangoEnv(cors) {
  return { PYTHONUNBUFFERED: '1', DJANGO_SETTINGS_MODULE: 'api.settings_corsair', CORSAIR_TEST_CORS: JSON.stringify(cors) };
}

function uvicornCommand(port) {
  return {
    command: VENV_PYTHON,
    // --lifespan on: the middleware stack is built at startup, so a refused configuration
    // stops uvicorn there instead of failing the first request.
    args: ['-m', 'uvicorn', 'asgi_app:app', '--host', '127.0.0.1', '--port', String(port), '--lifespan', 'on'],
    cwd: ASGI_APP_DIR,
  };
}

/** The seed story's calls from `page` to `api`; `putPath` is the API's preflighted PUT. */
async function seedStory(report, name, { page, stranger, api, putPath, session, frontend, helloBody }) {
  const hello = await page.record({ url: `${api}/api/hello` });
  expectRecording(report, name('GET without credentials is allowed'), hello, { outcome: 'allowed', status: 200 });
  expectThat(report, name("GET returns the application's JSON"), hello, jsonBody(hello)?.message === helloBody,
    `expected message ${helloBody}, got ${hello.body}`);

  const withCookies = await page.record({ url: `${api}/api/hello`, credentials: 'include' });
  expectRecording(report, name('GET with credentials is allowed'), withCookies, { outcome: 'allowed', status: 200 });

  const payload = { order: crypto.randomUUID() };
  const put = await page.record({
    url: `${api}${putPath}`,
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    bodyType: 'text',
    body: JSON.stringify(payload),
    credentials: 'include',
  });
  expectRecording(report, name('a credentialed PUT with JSON is preflighted and allowed'), put, {
    outcome: 'allowed',
    status: 200,
    preflight: true,
  });
  expectThat(report, name('the PUT reaches the application with its body and the session cookie'), put,
    JSON.stringify(jsonBody(put)?.body) === JSON.stringify(payload) && jsonBody(put)?.session === session,
    `expected body ${JSON.stringify(payload)} and session ${session}, got ${put.body}`);

  const strangerGet = await stranger.record({ url: `${api}/api/hello` });
  expectRecording(report, name('another origin stays blocked'), strangerGet, {
    outcome: 'blocked',
    consoleMessage: blockedMessage({ url: `${api}/api/hello`, origin: frontend, reason: reasons.missingAllowOrigin() }),
  });
  const strangerPut = await stranger.record({
    url: `${api}${putPath}`,
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    bodyType: 'text',
    body: '{}',
  });
  expectRecording(report, name("another origin's preflight is refused"), strangerPut, {
    outcome: 'blocked',
    preflight: true,
    consoleMessage: blockedMessage({
      url: `${api}${putPath}`,
      origin: frontend,
      reason: inPreflight(reasons.missingAllowOrigin()),
    }),
  });
}

/** Starts `command` expecting it to stop at start; checks the exit and the message. */
async function expectRefusedAtStart(report, name, { command, args, cwd, env }, needles) {
  const done = await runCommand(command, args, { cwd, env, timeoutMs: 60000 });
  const output = `${done.stdout}${done.stderr}`;
  const missing = needles.filter((needle) => !output.includes(needle));
  report.check(name, done.code !== 0 && done.code !== null && missing.length === 0,
    `expected a non-zero exit with ${JSON.stringify(needles)}; exit ${done.code}, missing ${JSON.stringify(missing)}\n${output.slice(-3000)}`);
}

async function run({ report, context }) {
  if (!fs.existsSync(VENV_PYTHON)) throw new Error(`no Python venv at ${VENV_PYTHON} (scripts/test-all creates it)`);
  const frontend = await startPageServer({ port: FRONTEND_PORT });
  const other = await startPageServer();
  const pages = [];
  try {
    await withServers(async (servers) => {
      const page = await Recorder.open(context, frontend.url);
      const stranger = await Recorder.open(context, other.url);
      pages.push(page, stranger);
      const session = `session-${crypto.randomUUID()}`;

      const djangoPort = await freePort();
      const cors = { CORS_ALLOWED_ORIGINS: [frontend.origin], CORS_ALLOW_CREDENTIALS: true };
      await servers.start({ name: 'Django with corsair middleware', ...djangoCommand(djangoPort), env: djangoEnv(cors), port: djangoPort });
      const django = `http://127.0.0.1:${djangoPort}`;
      await context.addCookies([{ name: 'session', value: session, url: `https://127.0.0.1:${djangoPort}`, sameSite: 'None', secure: true }]);
      await seedStory(report, (text) => `django + corsair middleware › ${text}`, {
        page, stranger, api: django, putPath: '/api/echo', session, frontend: other.origin, helloBody: 'hello from django',
      });

      const asgiPort = await freePort();
      const args = { allow_origins: [frontend.origin], allow_credentials: true, allow_methods: ['*'], allow_headers: ['content-type'] };
      await servers.start({
        name: 'FastAPI with corsair ASGI middleware under uvicorn',
        ...uvicornCommand(asgiPort),
        env: { PYTHONUNBUFFERED: '1', CORSAIR_TEST_ASGI: JSON.stringify(args) },
        port: asgiPort,
      });
      const asgi = `http://127.0.0.1:${asgiPort}`;
      await context.addCookies([{ name: 'session', value: session, url: `https://127.0.0.1:${asgiPort}`, sameSite: 'None', secure: true }]);
      await seedStory(report, (text) => `fastapi + corsair ASGI middleware › ${text}`, {
        page, stranger, api: asgi, putPath: '/api/items/1', session, frontend: other.origin, helloBody: 'hello from fastapi',
      });
    });

    const refusedDjango = { CORS_ALLOW_ALL_ORIGINS: true, CORS_ALLOW_CREDENTIALS: true };
    await expectRefusedAtStart(report, 'django + corsair middleware › a refused configuration stops runserver at start',
      { ...djangoCommand(await freePort()), env: djangoEnv(refusedDjango) },
      ['ImproperlyConfigured', 'corsair refuses these CORS settings', 'corsair.E003', 'CORS_ALLOW_ALL_ORIGINS = True']);
    await expectRefusedAtStart(report, 'fastapi + corsair ASGI middleware › a refused configuration stops uvicorn at start',
      { ...uvicornCommand(await freePort()), env: { CORSAIR_TEST_ASGI: JSON.stringify({ allow_origins: ['*'], allow_credentials: true }) } },
      ['ValueError', 'corsair refuses this CORSMiddleware configuration', 'allow_credentials']);
  } finally {
    for (const p of pages) await p.close();
    await context.clearCookies();
    await frontend.close();
    await other.close();
  }
}

module.exports = { name: 'python middlewares', builds: [], run };
