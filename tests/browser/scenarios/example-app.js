'use strict';
// Checks shared by the framework examples (examples/axum.rs, examples/actix.rs): the same API
// behind corsair's adapter for that framework, with the policy the example documents —
// credentials on, `x-request-id` exposed (`x-internal` sent but not exposed), the default
// allowed headers plus `x-client-version`, preflights cached for 600 s.

const crypto = require('node:crypto');
const { Recorder } = require('../lib/recorder');
const { startPageServer } = require('../lib/page-server');
const { freePort } = require('../lib/ports');
const { withServers, sleep } = require('../lib/processes');
const { blockedMessage, reasons, inPreflight } = require('../lib/chromium-messages');
const { expectRecording, expectThat, jsonBody } = require('../lib/expect');

// The example's documented policy, which the checks derive their expectations from.
const EXAMPLE_POLICY = {
  exposedHeader: 'x-request-id',
  unexposedHeader: 'x-internal',
  extraAllowedHeader: 'x-client-version',
  preflightMaxAgeSeconds: 600,
};
// Chromium caches a preflight without Access-Control-Max-Age for 5 s; waiting longer than that
// before repeating a request proves the server's max-age is what keeps the preflight cached.
const CHROMIUM_DEFAULT_PREFLIGHT_CACHE_MS = 5000;

/**
 * Starts the example `binary` allowing only the page origin, and checks in Chromium every
 * behaviour the example promises. `label` prefixes each check's name. `extraEnv` lets a caller
 * change the policy (used to show that the suite fails when a CORS header is removed).
 */
async function checkExampleApp({ report, context }, { label, binary, extraEnv = {} }) {
  const allowedPage = await startPageServer();
  const otherPage = await startPageServer();
  const pages = [];
  try {
    await withServers(async (servers) => {
      const port = await freePort();
      await servers.start({
        name: `${label} example (${binary})`,
        command: binary,
        env: { PORT: String(port), CORS_ALLOWED_ORIGINS: allowedPage.origin, ...extraEnv },
        port,
      });
      const api = `http://127.0.0.1:${port}`;
      const session = `session-${crypto.randomUUID()}`;
      await context.addCookies([
        // Secure + SameSite=None so it may travel cross-site; an http:// url would drop it.
        { name: 'session', value: session, url: `https://127.0.0.1:${port}`, sameSite: 'None', secure: true },
      ]);
      const page = await Recorder.open(context, allowedPage.url);
      const stranger = await Recorder.open(context, otherPage.url);
      pages.push(page, stranger);
      const name = (text) => `${label} › ${text}`;

      const items = await page.record({ url: `${api}/api/items` });
      expectRecording(report, name('simple GET /api/items is allowed without a preflight'), items, {
        outcome: 'allowed',
        status: 200,
        preflight: false,
      });
      expectThat(report, name('GET /api/items body is the JSON list'), items, Array.isArray(jsonBody(items)),
        `expected a JSON array, got ${JSON.stringify(items.body)}`);
      const { exposedHeader, unexposedHeader } = EXAMPLE_POLICY;
      expectThat(
        report,
        name(`exposed response header ${exposedHeader} is readable by script`),
        items,
        exposedHeader in items.receivedHeaders &&
          items.readableHeaders[exposedHeader] === items.receivedHeaders[exposedHeader],
        `the server sent ${exposedHeader}: ${show(items.receivedHeaders[exposedHeader])}; ` +
          `script read ${show(items.readableHeaders[exposedHeader])}`,
      );
      expectThat(
        report,
        name(`unexposed response header ${unexposedHeader} is sent but hidden from script`),
        items,
        unexposedHeader in items.receivedHeaders && !(unexposedHeader in items.readableHeaders),
        `the server sent ${unexposedHeader}: ${show(items.receivedHeaders[unexposedHeader])}; ` +
          `script read ${show(items.readableHeaders[unexposedHeader])} (must be unreadable)`,
      );

      const putBody = { name: 'anchor', size: 3 };
      const clientVersion = `v-${crypto.randomUUID().slice(0, 8)}`;
      const put = {
        url: `${api}/api/items/7`,
        method: 'PUT',
        headers: { 'content-type': 'application/json', [EXAMPLE_POLICY.extraAllowedHeader]: clientVersion },
        bodyType: 'text',
        body: JSON.stringify(putBody),
      };
      const firstPut = await page.record(put);
      const firstPutAt = Date.now();
      expectRecording(report, name('PUT with JSON and x-client-version is preflighted and allowed'), firstPut, {
        outcome: 'allowed',
        status: 200,
        preflight: true,
      });
      expectThat(
        report,
        name('the preflight asks for exactly the custom request headers'),
        firstPut,
        firstPut.preflights[0]?.requestHeaders['access-control-request-headers'] ===
          ['content-type', EXAMPLE_POLICY.extraAllowedHeader].sort().join(','),
        `preflight request headers: ${JSON.stringify(firstPut.preflights[0]?.requestHeaders)}`,
      );
      const echoed = jsonBody(firstPut);
      expectThat(
        report,
        name('PUT reaches the handler with its body and x-client-version'),
        firstPut,
        echoed?.id === 7 &&
          JSON.stringify(echoed?.body) === JSON.stringify(putBody) &&
          echoed?.client_version === clientVersion,
        `expected id 7, body ${JSON.stringify(putBody)}, client_version ${clientVersion}; got ${firstPut.body}`,
      );

      const me = await page.record({ url: `${api}/api/me`, credentials: 'include' });
      expectRecording(report, name("credentialed GET /api/me is allowed"), me, { outcome: 'allowed', status: 200 });
      expectThat(report, name('credentials: include sends the session cookie'), me, jsonBody(me)?.session === session,
        `expected the seeded cookie ${session}, the server saw ${JSON.stringify(jsonBody(me)?.session)}`);
      const anonymous = await page.record({ url: `${api}/api/me`, credentials: 'omit' });
      expectThat(report, name('credentials: omit sends no cookie'), anonymous,
        anonymous.outcome === 'allowed' && jsonBody(anonymous)?.session === null,
        `expected an allowed response with session null, got ${anonymous.body}`);

      const error = await page.record({ url: `${api}/api/error` });
      expectRecording(report, name('the 500 of /api/error is readable by script'), error, {
        outcome: 'allowed',
        status: 500,
      });
      expectThat(report, name('the 500 body is the JSON error'), error, typeof jsonBody(error)?.error === 'string',
        `expected {"error": ...}, got ${JSON.stringify(error.body)}`);

      const strangerGet = await stranger.record({ url: `${api}/api/items` });
      expectRecording(report, name('a page on a disallowed origin is blocked (missing Allow-Origin)'), strangerGet, {
        outcome: 'blocked',
        preflight: false,
        consoleMessage: blockedMessage({
          url: `${api}/api/items`,
          origin: otherPage.origin,
          reason: reasons.missingAllowOrigin(),
        }),
      });
      const strangerPut = await stranger.record({ ...put, url: `${api}/api/items/9` });
      expectRecording(report, name("a disallowed origin's preflight is refused (missing Allow-Origin)"), strangerPut, {
        outcome: 'blocked',
        preflight: true,
        consoleMessage: blockedMessage({
          url: `${api}/api/items/9`,
          origin: otherPage.origin,
          reason: inPreflight(reasons.missingAllowOrigin()),
        }),
      });

      const tokenPut = await page.record({
        ...put,
        url: `${api}/api/items/8`,
        headers: { 'content-type': 'application/json', 'x-token': 'secret' },
      });
      expectRecording(report, name('a header outside Access-Control-Allow-Headers is blocked, named'), tokenPut, {
        outcome: 'blocked',
        preflight: true,
        consoleMessage: blockedMessage({
          url: `${api}/api/items/8`,
          origin: allowedPage.origin,
          reason: reasons.headerNotAllowed('x-token'),
        }),
      });

      const waitMs = CHROMIUM_DEFAULT_PREFLIGHT_CACHE_MS + 1000 - (Date.now() - firstPutAt);
      if (waitMs > 0) await sleep(waitMs);
      const secondPut = await page.record(put);
      const elapsedSeconds = (Date.now() - firstPutAt) / 1000;
      expectRecording(
        report,
        name(
          `an identical PUT ${elapsedSeconds.toFixed(1)} s later reuses the cached preflight ` +
            `(max-age ${EXAMPLE_POLICY.preflightMaxAgeSeconds} s, beyond the 5 s default)`,
        ),
        secondPut,
        { outcome: 'allowed', status: 200, preflight: elapsedSeconds >= EXAMPLE_POLICY.preflightMaxAgeSeconds },
      );
    });
  } finally {
    for (const page of pages) await page.close();
    await context.clearCookies();
    await allowedPage.close();
    await otherPage.close();
  }
}

function show(value) {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

module.exports = { checkExampleApp, EXAMPLE_POLICY };
