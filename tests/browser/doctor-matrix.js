'use strict';
// The doctor matrix: server behaviours, each with the fetch() a page makes against it and what
// Chromium does. The doctor scenario serves each case from the behaviour server, records
// Chromium, and requires `corsair check --json` to predict the same verdict, console message
// and preflight.
//
// A case: {
//   name: unique, used in the URL /c/<name>;
//   about: what the server gets right or wrong;
//   url(ctx): where the fetch goes, when not this case's first URL (ctx.url);
//   fetch: { method = 'GET', headers = {}, credentials = false (true: 'include'),
//            bodyType = 'none' | 'text' | 'json' | 'form' | 'multipart' | 'stream', body };
//   routes: { '': first URL, '<hop>': /c/<name>/<hop> }, each { options, actual } response
//            descriptions for the behaviour server (see behaviour-server.js);
//   expect: { verdict: 'allowed' | 'blocked' | 'error' (network error), preflight: whether Chromium sends one,
//             reason(ctx): the blocked reason as Chromium words it,
//             at(ctx): the URL the console line names when a redirect was followed,
//             readable / hidden: response header names script can / cannot read,
//             warnings: ids of the warnings `corsair check` must give (legal but surprising) };
// }
// ctx holds { origin, page, api, api2, closed, url, name } (see behaviour-server.js); `origin` in a
// header function is the Origin header the request carried (`null` after a cross-origin hop).

const { reasons, inPreflight } = require('./lib/chromium-messages');

// Response header sets.
const reflectOrigin = ({ origin }) => origin;
const allowOrigin = { 'access-control-allow-origin': reflectOrigin };
const allowWithCredentials = { ...allowOrigin, 'access-control-allow-credentials': 'true' };
const ok = (headers = {}, status = 200) => ({ status, headers });
const preflightOk = (headers) => ({ status: 204, headers: { ...allowOrigin, ...headers } });
const redirectTo = (location, headers = allowOrigin, status = 302) => ({
  status,
  headers: { ...headers, location },
});
const hop = (ctx, name) => `${ctx.url}/${name}`;
const hopOnApi2 = (ctx, name) => `${ctx.api2}/c/${ctx.name}/${name}`;

const jsonPut = {
  method: 'PUT',
  headers: { 'Content-Type': 'application/json' },
  bodyType: 'text',
  body: '{"name":"anchor"}',
};

const cases = [
  // --- Access-Control-Allow-Origin on a simple GET (no preflight) ---
  {
    name: 'acao-missing',
    about: 'the response has no Access-Control-Allow-Origin',
    fetch: {},
    routes: { '': { actual: ok() } },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.missingAllowOrigin() },
  },
  {
    name: 'acao-reflects-origin',
    about: 'Access-Control-Allow-Origin echoes the page origin',
    fetch: {},
    routes: { '': { actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: false },
  },
  {
    name: 'acao-wildcard',
    about: "Access-Control-Allow-Origin '*' for a request without credentials",
    fetch: {},
    routes: { '': { actual: ok({ 'access-control-allow-origin': '*' }) } },
    expect: { verdict: 'allowed', preflight: false },
  },
  {
    name: 'acao-wildcard-with-credentials',
    about: "Access-Control-Allow-Origin '*' for a credentialed request",
    fetch: { credentials: true },
    routes: {
      '': { actual: ok({ 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' }) },
    },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.wildcardWithCredentials() },
  },
  {
    name: 'acao-other-origin',
    about: 'Access-Control-Allow-Origin names a different origin',
    fetch: {},
    routes: { '': { actual: ok({ 'access-control-allow-origin': 'https://app.example' }) } },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.allowOriginMismatch('https://app.example') },
  },
  {
    name: 'acao-trailing-slash',
    about: 'Access-Control-Allow-Origin is the page origin with a trailing slash',
    fetch: {},
    routes: { '': { actual: ok({ 'access-control-allow-origin': ({ page }) => `${page}/` }) } },
    expect: { verdict: 'blocked', preflight: false, reason: ({ page }) => reasons.allowOriginMismatch(`${page}/`) },
  },
  {
    name: 'acao-uppercase-host',
    about: 'Access-Control-Allow-Origin is the page origin in upper case (comparison is byte-exact)',
    fetch: {},
    routes: { '': { actual: ok({ 'access-control-allow-origin': ({ page }) => page.toUpperCase() }) } },
    expect: {
      verdict: 'blocked',
      preflight: false,
      reason: ({ page }) => reasons.allowOriginMismatch(page.toUpperCase()),
    },
  },
  {
    name: 'acao-with-path',
    about: 'Access-Control-Allow-Origin is a URL with a path, not an origin',
    fetch: {},
    routes: { '': { actual: ok({ 'access-control-allow-origin': ({ page }) => `${page}/app` }) } },
    expect: { verdict: 'blocked', preflight: false, reason: ({ page }) => reasons.allowOriginMismatch(`${page}/app`) },
  },
  {
    name: 'acao-two-lines',
    about: 'two Access-Control-Allow-Origin header lines, both the page origin',
    fetch: {},
    routes: { '': { actual: ok({ 'access-control-allow-origin': ({ origin }) => [origin, origin] }) } },
    expect: {
      verdict: 'blocked',
      preflight: false,
      reason: ({ page }) => reasons.multipleAllowOrigin(`${page}, ${page}`),
    },
  },
  {
    name: 'acao-space-separated-list',
    about: 'Access-Control-Allow-Origin lists two origins separated by a space',
    fetch: {},
    routes: {
      '': { actual: ok({ 'access-control-allow-origin': ({ page }) => `https://app.example ${page}` }) },
    },
    expect: {
      verdict: 'blocked',
      preflight: false,
      reason: ({ page }) => reasons.multipleAllowOrigin(`https://app.example ${page}`),
    },
  },
  {
    name: 'acao-null',
    about: "Access-Control-Allow-Origin 'null' for a page with a real origin",
    fetch: {},
    routes: { '': { actual: ok({ 'access-control-allow-origin': 'null' }) } },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.allowOriginMismatch('null') },
  },
  {
    name: 'acao-not-a-url',
    about: 'Access-Control-Allow-Origin is a bare host name',
    fetch: {},
    routes: { '': { actual: ok({ 'access-control-allow-origin': 'localhost' }) } },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.invalidAllowOrigin('localhost') },
  },
  {
    name: 'error-status-without-cors',
    about: 'a 500 error page without CORS headers (reported as a CORS failure)',
    fetch: {},
    routes: { '': { actual: ok({}, 500) } },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.missingAllowOrigin() },
  },
  {
    name: 'error-status-with-cors',
    about: 'a 404 with Access-Control-Allow-Origin is readable',
    fetch: {},
    routes: { '': { actual: ok(allowOrigin, 404) } },
    expect: { verdict: 'allowed', preflight: false },
  },

  // --- Credentials ---
  {
    name: 'credentials-allowed',
    about: 'credentialed GET, origin reflected and Access-Control-Allow-Credentials: true',
    fetch: { credentials: true },
    routes: { '': { actual: ok(allowWithCredentials) } },
    expect: { verdict: 'allowed', preflight: false },
  },
  {
    name: 'acac-capitalized',
    about: "Access-Control-Allow-Credentials 'True' (the value is case-sensitive)",
    fetch: { credentials: true },
    routes: { '': { actual: ok({ ...allowOrigin, 'access-control-allow-credentials': 'True' }) } },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.invalidAllowCredentials('True') },
  },
  {
    name: 'acac-missing',
    about: 'credentialed GET without Access-Control-Allow-Credentials',
    fetch: { credentials: true },
    routes: { '': { actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.invalidAllowCredentials('') },
  },
  {
    name: 'acac-false-without-credentials',
    about: "Access-Control-Allow-Credentials 'false' is ignored when the request has no credentials",
    fetch: {},
    routes: { '': { actual: ok({ ...allowOrigin, 'access-control-allow-credentials': 'false' }) } },
    expect: { verdict: 'allowed', preflight: false },
  },

  // --- Simple requests with bodies ---
  {
    name: 'post-text-plain',
    about: 'POST with a string body (text/plain) needs no preflight',
    fetch: { method: 'POST', bodyType: 'text', body: 'hello' },
    routes: { '': { actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: false },
  },
  {
    name: 'post-form',
    about: 'POST with URLSearchParams needs no preflight',
    fetch: { method: 'POST', bodyType: 'form', body: 'a=1&b=2' },
    routes: { '': { actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: false },
  },
  {
    name: 'post-multipart-without-acao',
    about: 'POST with FormData is sent without a preflight, the response lacks Allow-Origin',
    fetch: { method: 'POST', bodyType: 'multipart', body: 'x' },
    routes: { '': { actual: ok() } },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.missingAllowOrigin() },
  },
  {
    name: 'post-json-blob',
    about: 'POST with a JSON Blob (Content-Type application/json) is preflighted; allowed',
    fetch: { method: 'POST', bodyType: 'json', body: '{"a":1}' },
    routes: {
      '': {
        options: preflightOk({ 'access-control-allow-headers': 'content-type' }),
        actual: ok(allowOrigin),
      },
    },
    expect: { verdict: 'allowed', preflight: true },
  },
  {
    name: 'post-json-content-type-not-allowed',
    about: 'POST with Content-Type application/json; the preflight allows no headers',
    fetch: { method: 'POST', headers: { 'Content-Type': 'application/json' }, bodyType: 'text', body: '{}' },
    routes: { '': { options: preflightOk({}), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.headerNotAllowed('content-type') },
  },
  {
    name: 'post-stream-preflight-without-acao',
    about: 'a ReadableStream body forces a preflight even for POST; the preflight lacks Allow-Origin',
    fetch: { method: 'POST', bodyType: 'stream', body: 'chunk' },
    routes: { '': { options: ok({}, 204), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => inPreflight(reasons.missingAllowOrigin()) },
  },

  // --- The preflight response ---
  {
    name: 'preflight-allowed',
    about: 'PUT with JSON: the preflight allows the origin, PUT and content-type',
    fetch: jsonPut,
    routes: {
      '': {
        options: preflightOk({ 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'Content-Type' }),
        actual: ok(allowOrigin),
      },
    },
    expect: { verdict: 'allowed', preflight: true },
  },
  {
    name: 'preflight-missing-acao',
    about: 'the preflight answer has no Access-Control-Allow-Origin',
    fetch: jsonPut,
    routes: {
      '': {
        options: ok({ 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'content-type' }, 204),
        actual: ok(allowOrigin),
      },
    },
    expect: { verdict: 'blocked', preflight: true, reason: () => inPreflight(reasons.missingAllowOrigin()) },
  },
  {
    name: 'preflight-404-with-cors',
    about: 'the preflight answer is a 404 that carries all CORS headers',
    fetch: jsonPut,
    routes: {
      '': {
        options: ok({ ...allowOrigin, 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'content-type' }, 404),
        actual: ok(allowOrigin),
      },
    },
    expect: { verdict: 'blocked', preflight: true, reason: () => inPreflight(reasons.preflightNotOk()) },
  },
  {
    name: 'preflight-405-without-cors',
    about: 'the server does not handle OPTIONS: 405 without CORS headers (Allow-Origin is reported first)',
    fetch: jsonPut,
    routes: { '': { options: ok({ allow: 'GET, PUT' }, 405), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => inPreflight(reasons.missingAllowOrigin()) },
  },
  {
    name: 'preflight-redirect',
    about: 'the preflight answer is a 301 redirect (preflights never follow redirects)',
    fetch: jsonPut,
    routes: {
      '': { options: (ctx) => redirectTo(hop(ctx, 'moved'), allowOrigin, 301), actual: ok(allowOrigin) },
      moved: { options: preflightOk({ 'access-control-allow-methods': 'PUT' }), actual: ok(allowOrigin) },
    },
    expect: { verdict: 'blocked', preflight: true, reason: () => inPreflight(reasons.preflightRedirect()) },
  },
  {
    name: 'preflight-wildcard-with-credentials',
    about: "credentialed PUT; the preflight answers Allow-Origin '*'",
    fetch: { ...jsonPut, credentials: true },
    routes: {
      '': {
        options: ok({
          'access-control-allow-origin': '*',
          'access-control-allow-credentials': 'true',
          'access-control-allow-methods': 'PUT',
          'access-control-allow-headers': 'content-type',
        }, 204),
        actual: ok(allowWithCredentials),
      },
    },
    expect: { verdict: 'blocked', preflight: true, reason: () => inPreflight(reasons.wildcardWithCredentials()) },
  },
  {
    name: 'preflight-acac-capitalized',
    about: "credentialed PUT; the preflight answers Allow-Credentials 'True'",
    fetch: { ...jsonPut, credentials: true },
    routes: {
      '': {
        options: preflightOk({
          'access-control-allow-credentials': 'True',
          'access-control-allow-methods': 'PUT',
          'access-control-allow-headers': 'content-type',
        }),
        actual: ok(allowWithCredentials),
      },
    },
    expect: { verdict: 'blocked', preflight: true, reason: () => inPreflight(reasons.invalidAllowCredentials('True')) },
  },
  {
    name: 'preflight-credentials-allowed',
    about: 'credentialed PUT with JSON, everything allowed with credentials',
    fetch: { ...jsonPut, credentials: true },
    routes: {
      '': {
        options: preflightOk({
          'access-control-allow-credentials': 'true',
          'access-control-allow-methods': 'PUT',
          'access-control-allow-headers': 'content-type',
        }),
        actual: ok(allowWithCredentials),
      },
    },
    expect: { verdict: 'allowed', preflight: true },
  },
  {
    name: 'actual-missing-acao-after-preflight',
    about: 'the preflight passes but the actual PUT response has no Allow-Origin',
    fetch: jsonPut,
    routes: {
      '': {
        options: preflightOk({ 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'content-type' }),
        actual: ok(),
      },
    },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.missingAllowOrigin() },
  },

  // --- Methods ---
  {
    name: 'method-not-allowed',
    about: 'DELETE; the preflight allows GET and POST only',
    fetch: { method: 'DELETE' },
    routes: { '': { options: preflightOk({ 'access-control-allow-methods': 'GET, POST' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.methodNotAllowed('DELETE') },
  },
  {
    name: 'method-patch-lowercase',
    about: "method 'patch' in lower case is not normalised; the preflight allows 'PATCH'",
    fetch: { method: 'patch' },
    routes: { '': { options: preflightOk({ 'access-control-allow-methods': 'PATCH' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.methodNotAllowed('patch') },
  },
  {
    name: 'method-patch-uppercase',
    about: "method 'PATCH'; the preflight allows 'PATCH'",
    fetch: { method: 'PATCH' },
    routes: { '': { options: preflightOk({ 'access-control-allow-methods': 'PATCH' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: true },
  },
  {
    name: 'method-put-lowercase-normalised',
    about: "method 'put' is normalised to PUT; the preflight allows 'PUT'",
    fetch: { method: 'put' },
    routes: { '': { options: preflightOk({ 'access-control-allow-methods': 'PUT' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: true },
  },
  {
    name: 'method-wildcard',
    about: "DELETE; the preflight allows methods '*' (no credentials)",
    fetch: { method: 'DELETE' },
    routes: { '': { options: preflightOk({ 'access-control-allow-methods': '*' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: true },
  },
  {
    name: 'method-wildcard-with-credentials',
    about: "credentialed DELETE; methods '*' is the literal method name '*' then",
    fetch: { method: 'DELETE', credentials: true },
    routes: {
      '': {
        options: preflightOk({ 'access-control-allow-credentials': 'true', 'access-control-allow-methods': '*' }),
        actual: ok(allowWithCredentials),
      },
    },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.methodNotAllowed('DELETE') },
  },
  {
    name: 'allow-methods-unparsable',
    about: 'Access-Control-Allow-Methods separated by spaces instead of commas',
    fetch: { method: 'DELETE' },
    routes: { '': { options: preflightOk({ 'access-control-allow-methods': 'PUT DELETE' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.unparsableAllowMethods() },
  },

  // --- Request headers ---
  {
    name: 'header-not-allowed',
    about: 'GET with x-token; the preflight allows content-type only',
    fetch: { headers: { 'X-Token': 'secret' } },
    routes: {
      '': { options: preflightOk({ 'access-control-allow-headers': 'content-type' }), actual: ok(allowOrigin) },
    },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.headerNotAllowed('x-token') },
  },
  {
    name: 'header-allowed-case-insensitive',
    about: 'GET with X-Token; the preflight allows X-TOKEN (names are case-insensitive)',
    fetch: { headers: { 'X-Token': 'secret' } },
    routes: { '': { options: preflightOk({ 'access-control-allow-headers': 'X-TOKEN' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: true },
  },
  {
    name: 'header-second-of-two-missing',
    about: 'GET with x-a and x-b; the preflight allows x-a only',
    fetch: { headers: { 'x-a': '1', 'x-b': '2' } },
    routes: { '': { options: preflightOk({ 'access-control-allow-headers': 'x-a' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.headerNotAllowed('x-b') },
  },
  {
    name: 'header-wildcard',
    about: "GET with x-token; the preflight allows headers '*' (no credentials)",
    fetch: { headers: { 'x-token': 'secret' } },
    routes: { '': { options: preflightOk({ 'access-control-allow-headers': '*' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: true },
  },
  {
    name: 'header-wildcard-with-credentials',
    about: "credentialed GET with x-token; headers '*' is the literal name '*' then",
    fetch: { headers: { 'x-token': 'secret' }, credentials: true },
    routes: {
      '': {
        options: preflightOk({ 'access-control-allow-credentials': 'true', 'access-control-allow-headers': '*' }),
        actual: ok(allowWithCredentials),
      },
    },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.headerNotAllowed('x-token') },
  },
  {
    name: 'authorization-vs-wildcard',
    about: "GET with Authorization; the preflight allows headers '*' (Chromium 156 lets it pass, as every engine does today; the spec does not)",
    fetch: { headers: { Authorization: 'Bearer abc' } },
    routes: { '': { options: preflightOk({ 'access-control-allow-headers': '*' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: true, warnings: ['authorization-not-covered-by-wildcard'] },
  },
  {
    name: 'authorization-listed',
    about: 'GET with Authorization; the preflight lists authorization',
    fetch: { headers: { Authorization: 'Bearer abc' } },
    routes: { '': { options: preflightOk({ 'access-control-allow-headers': 'authorization' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: true },
  },
  {
    name: 'allow-headers-unparsable',
    about: 'Access-Control-Allow-Headers with a name containing a space',
    fetch: { headers: { 'x-token': 'secret' } },
    routes: { '': { options: preflightOk({ 'access-control-allow-headers': 'x token' }), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.unparsableAllowHeaders() },
  },
  {
    name: 'safelisted-header-too-long',
    about: 'an Accept value longer than 128 bytes is no longer safelisted: preflight, not allowed',
    fetch: { headers: { Accept: `text/${'x'.repeat(130)}` } },
    routes: { '': { options: preflightOk({}), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.headerNotAllowed('accept') },
  },
  {
    name: 'range-suffix-not-safelisted',
    about: "Range 'bytes=-500' (a suffix range) is not safelisted: preflight, not allowed",
    fetch: { headers: { Range: 'bytes=-500' } },
    routes: { '': { options: preflightOk({}), actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: true, reason: () => reasons.headerNotAllowed('range') },
  },
  {
    name: 'range-safelisted',
    about: "Range 'bytes=0-99' is safelisted: no preflight",
    fetch: { headers: { Range: 'bytes=0-99' } },
    routes: { '': { actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: false },
  },

  // --- Exposed response headers ---
  {
    name: 'expose-listed',
    about: 'x-request-id listed in Access-Control-Expose-Headers, x-internal not',
    fetch: {},
    routes: {
      '': {
        actual: ok({ ...allowOrigin, 'access-control-expose-headers': 'x-request-id', 'x-request-id': 'r1', 'x-internal': 's' }),
      },
    },
    expect: { verdict: 'allowed', preflight: false, readable: ['x-request-id'], hidden: ['x-internal'] },
  },
  {
    name: 'expose-wildcard',
    about: "Access-Control-Expose-Headers '*' exposes every header to a request without credentials",
    fetch: {},
    routes: {
      '': { actual: ok({ ...allowOrigin, 'access-control-expose-headers': '*', 'x-request-id': 'r1', 'x-internal': 's' }) },
    },
    expect: { verdict: 'allowed', preflight: false, readable: ['x-request-id', 'x-internal'] },
  },
  {
    name: 'expose-wildcard-with-credentials',
    about: "Access-Control-Expose-Headers '*' exposes nothing to a credentialed request",
    fetch: { credentials: true },
    routes: {
      '': {
        actual: ok({ ...allowWithCredentials, 'access-control-expose-headers': '*', 'x-request-id': 'r1' }),
      },
    },
    expect: { verdict: 'allowed', preflight: false, hidden: ['x-request-id'] },
  },

  // --- Preflight caching headers (never a reason to block) ---
  {
    name: 'max-age-above-chromium-cap',
    about: 'Access-Control-Max-Age 86400 (Chromium caps it at 7200)',
    fetch: jsonPut,
    routes: {
      '': {
        options: preflightOk({
          'access-control-allow-methods': 'PUT',
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': '86400',
        }),
        actual: ok(allowOrigin),
      },
    },
    expect: { verdict: 'allowed', preflight: true, warnings: ['max-age-above-browser-cap'] },
  },
  {
    name: 'max-age-unparsable',
    about: "Access-Control-Max-Age 'ten' (ignored)",
    fetch: jsonPut,
    routes: {
      '': {
        options: preflightOk({
          'access-control-allow-methods': 'PUT',
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': 'ten',
        }),
        actual: ok(allowOrigin),
      },
    },
    expect: { verdict: 'allowed', preflight: true },
  },

  // --- Redirects ---
  {
    name: 'redirect-same-origin-allowed',
    about: 'a 302 to another path on the same server, both responses allow the origin',
    fetch: {},
    routes: { '': { actual: (ctx) => redirectTo(hop(ctx, 'next')) }, next: { actual: ok(allowOrigin) } },
    expect: { verdict: 'allowed', preflight: false },
  },
  {
    name: 'redirect-without-acao',
    about: 'the 302 itself lacks Access-Control-Allow-Origin',
    fetch: {},
    routes: { '': { actual: (ctx) => redirectTo(hop(ctx, 'next'), {}) }, next: { actual: ok(allowOrigin) } },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.missingAllowOrigin() },
  },
  {
    name: 'redirect-target-without-acao',
    about: 'a 302 to another path whose response lacks Access-Control-Allow-Origin',
    fetch: {},
    routes: { '': { actual: (ctx) => redirectTo(hop(ctx, 'next')) }, next: { actual: ok() } },
    expect: {
      verdict: 'blocked',
      preflight: false,
      at: (ctx) => hop(ctx, 'next'),
      reason: () => reasons.missingAllowOrigin(),
    },
  },
  {
    name: 'redirect-cross-origin-null-allowed',
    about: "a 302 to another origin: the origin becomes 'null', which the target reflects",
    fetch: {},
    routes: {
      '': { actual: (ctx) => redirectTo(hopOnApi2(ctx, 'next')) },
      next: { actual: ok(allowOrigin) },
    },
    expect: { verdict: 'allowed', preflight: false },
  },
  {
    name: 'redirect-cross-origin-page-origin-refused',
    about: "a 302 to another origin that allows the page origin, not 'null'",
    fetch: {},
    routes: {
      '': { actual: (ctx) => redirectTo(hopOnApi2(ctx, 'next')) },
      next: { actual: ok({ 'access-control-allow-origin': ({ page }) => page }) },
    },
    expect: {
      verdict: 'blocked',
      preflight: false,
      at: (ctx) => hopOnApi2(ctx, 'next'),
      reason: ({ page }) => reasons.allowOriginMismatch(page),
    },
  },
  {
    name: 'redirect-to-login-provider',
    about: 'the social-login case: a 302 to a provider on another origin that sends no CORS headers',
    fetch: { credentials: true },
    routes: {
      '': { actual: (ctx) => redirectTo(hopOnApi2(ctx, 'authorize'), allowWithCredentials) },
      authorize: { actual: ok() },
    },
    expect: {
      verdict: 'blocked',
      preflight: false,
      at: (ctx) => hopOnApi2(ctx, 'authorize'),
      reason: () => reasons.missingAllowOrigin(),
      warnings: ['cross-origin-redirect'],
    },
  },
  {
    name: 'redirect-chain-three-hops',
    about: "two same-origin hops then one to another origin, which allows 'null'",
    fetch: {},
    routes: {
      '': { actual: (ctx) => redirectTo(hop(ctx, 'two')) },
      two: { actual: (ctx) => redirectTo(hopOnApi2(ctx, 'three')) },
      three: { actual: ok({ 'access-control-allow-origin': 'null' }) },
    },
    expect: { verdict: 'allowed', preflight: false },
  },
  {
    name: 'redirect-with-wildcard-and-credentials',
    about: "credentialed GET; the 302 answers Allow-Origin '*'",
    fetch: { credentials: true },
    routes: {
      '': { actual: (ctx) => redirectTo(hop(ctx, 'next'), { 'access-control-allow-origin': '*' }) },
      next: { actual: ok(allowWithCredentials) },
    },
    expect: { verdict: 'blocked', preflight: false, reason: () => reasons.wildcardWithCredentials() },
  },
  {
    name: 'redirect-location-with-userinfo',
    about: 'a 302 to a URL with a user name and password',
    fetch: {},
    routes: {
      '': { actual: (ctx) => redirectTo(hopOnApi2(ctx, 'next').replace('http://', 'http://user:pass@')) },
      next: { actual: ok(allowOrigin) },
    },
    expect: {
      verdict: 'blocked',
      preflight: false,
      // Chromium names no location in this message (it prints '').
      reason: () => reasons.redirectWithCredentials(''),
    },
  },
  {
    name: 'redirect-preflighted-put-cross-origin',
    about: "a preflighted PUT answered with 307 to another origin: a second preflight with origin 'null'",
    fetch: jsonPut,
    routes: {
      '': {
        options: preflightOk({ 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'content-type' }),
        actual: (ctx) => redirectTo(hopOnApi2(ctx, 'next'), allowOrigin, 307),
      },
      next: {
        options: preflightOk({ 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'content-type' }),
        actual: ok(allowOrigin),
      },
    },
    expect: { verdict: 'allowed', preflight: true },
  },

  // --- No server at all: a network error, not a CORS failure ---
  {
    name: 'no-server',
    about: 'nothing listens on the port (a network error, which must not pass for a CORS block)',
    url: (ctx) => `${ctx.closed}/c/no-server`,
    fetch: {},
    routes: {},
    expect: { verdict: 'error', preflight: false },
  },
];

module.exports = { cases };
