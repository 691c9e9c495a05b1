'use strict';
// A recorded browser session, checked request by request. Pages on an allowed and on a
// disallowed origin make a mix of fetches (simple, preflighted, a refused header, a refused
// method, a path outside urls_regex) to `corsair serve`, in a Chromium of its own whose context
// records a HAR (Playwright's recordHar: blocked requests keep only provisional headers, and
// preflights are not recorded). Then `corsair check --har` (live, against the same proxy) and
// `corsair check --har --config` (offline, the proxy's own configuration) must give each
// request the verdict Chromium gave it and Chromium's console message word for word; offline,
// the path outside urls_regex is `bypassed` (the upstream decides).

const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { CHROMIUM_ARGS } = require('../lib/browser');
const { Recorder, summarizeRecording } = require('../lib/recorder');
const { startPageServer } = require('../lib/page-server');
const { freePort } = require('../lib/ports');
const { withServers, runCommand, commandLine } = require('../lib/processes');
const { blockedMessage, reasons, inPreflight } = require('../lib/chromium-messages');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHECK_TIMEOUT_MS = 60000;

/** An upstream answering every path with a small JSON body and no CORS header. */
async function startUpstream() {
  const port = await freePort();
  const server = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ path: request.url }));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(done)) };
}

function configuration({ upstream, allowed }) {
  return [
    '[server]',
    `upstream = "${upstream}"`,
    '',
    '[cors]',
    `allowed_origins = ["${allowed}"]`,
    'urls_regex = "^/api/"',
    '',
  ].join('\n');
}

/**
 * The fetches each page makes, and what Chromium must do with them from the allowed origin
 * (from the disallowed one, every call is blocked for its missing Allow-Origin).
 */
function calls(proxy, page) {
  const tag = new URL(page).port;
  return [
    { name: 'simple GET', call: { url: `${proxy}/api/items?page=${tag}` }, allowed: null },
    {
      name: 'preflighted PUT',
      call: { url: `${proxy}/api/items/1?page=${tag}`, method: 'PUT', headers: { 'Content-Type': 'application/json' }, bodyType: 'text', body: '{"name":"lamp"}' },
      allowed: null,
      preflight: true,
    },
    {
      name: 'refused header',
      call: { url: `${proxy}/api/items?h=${tag}`, headers: { 'X-Token': 'abc' } },
      allowed: reasons.headerNotAllowed('x-token'),
      preflight: true,
    },
    { name: 'refused method', call: { url: `${proxy}/api/items?m=${tag}`, method: 'PROPFIND' }, allowed: reasons.methodNotAllowed('PROPFIND'), preflight: true },
    { name: 'outside urls_regex', call: { url: `${proxy}/static/app.json?page=${tag}` }, allowed: reasons.missingAllowOrigin(), outside: true },
  ];
}

/** What Chromium must print for `entry` from `page` (null when allowed). */
function expectedMessage(entry, page, isAllowedOrigin) {
  const reason = isAllowedOrigin
    ? entry.allowed
    : entry.preflight
      ? inPreflight(reasons.missingAllowOrigin())
      : reasons.missingAllowOrigin();
  return reason === null ? null : blockedMessage({ url: entry.call.url, origin: page, reason });
}

/** Runs `corsair check ARGS --json`; resolves { json, code, commandLine } or { error, commandLine }. */
async function checkJson(binary, args) {
  const all = ['check', ...args, '--json'];
  const line = commandLine(binary, all);
  const result = await runCommand(binary, all, { timeoutMs: CHECK_TIMEOUT_MS });
  try {
    return { json: JSON.parse(result.stdout), code: result.code, commandLine: line };
  } catch {
    return { error: `no JSON on stdout (exit ${result.code}):\n${`${result.stdout}${result.stderr}`.slice(0, 800)}`, commandLine: line };
  }
}

/** Compares what `corsair check --har` said about each recorded fetch with what Chromium did. */
function compare(report, label, checked, recorded, { offline }) {
  const name = (text) => `har session › ${label} › ${text}`;
  if (checked.error) {
    report.fail(name('corsair check ran'), `${checked.error}\ncommand: ${checked.commandLine}`);
    return;
  }
  const requests = checked.json.requests ?? [];
  const keyOf = (method, url, origin) => `${method} ${url} from ${origin}`;
  const byKey = new Map(requests.map((r) => [keyOf(r.method, r.url, r.origin), r]));
  report.check(
    name(`judges exactly the ${recorded.length} fetches of the pages (no navigation, favicon or same-origin request)`),
    requests.length === recorded.length,
    `judged:\n${requests.map((r) => `  ${keyOf(r.method, r.url, r.origin)}: ${r.verdict}`).join('\n')}\ncommand: ${checked.commandLine}`,
  );
  for (const { entry, page, recording } of recorded) {
    const method = entry.call.method ?? 'GET';
    const request = byKey.get(keyOf(method, entry.call.url, page));
    const chromium = recording.outcome;
    const expected = offline && entry.outside ? 'bypassed' : chromium;
    const problems = [];
    if (!request) problems.push(`no verdict for ${keyOf(method, entry.call.url, page)}`);
    else {
      if (request.verdict !== expected) problems.push(`verdict ${request.verdict}, expected ${expected} (Chromium: ${chromium})`);
      const message = expected === 'blocked' ? recording.consoleMessage : null;
      if ((request.message ?? null) !== message) {
        problems.push(`message:\n  Chromium      ${JSON.stringify(message)}\n  corsair check ${JSON.stringify(request.message)}`);
      }
    }
    const what = offline && entry.outside ? 'bypassed (the upstream decides)' : `${chromium}, as in Chromium`;
    report.check(
      name(`${entry.name} from ${page}: ${what}`),
      problems.length === 0,
      [...problems, `recorded: ${summarizeRecording(recording)}`, `command: ${checked.commandLine}`].join('\n'),
    );
  }
  const anyBlocked = requests.some((r) => r.verdict === 'blocked');
  report.check(name(`exit status ${anyBlocked ? 1 : 0}`), checked.code === (anyBlocked ? 1 : 0), `exit ${checked.code}\ncommand: ${checked.commandLine}`);
}

async function run({ report, builds }) {
  const cli = builds.corsairCli;
  if (!cli.ok) {
    report.fail('har session › build', `${cli.command} failed:\n${cli.error}`);
    return;
  }
  const allowedPage = await startPageServer();
  const otherPage = await startPageServer();
  const upstream = await startUpstream();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'corsair-har-'));
  const harFile = path.join(directory, 'session.har');
  const configFile = path.join(directory, 'corsair.toml');
  let browser;
  try {
    await withServers(async (servers) => {
      fs.writeFileSync(configFile, configuration({ upstream: upstream.url, allowed: allowedPage.origin }));
      const port = await freePort();
      await servers.start({
        name: 'corsair serve',
        command: cli.binary,
        args: ['serve', '--config', configFile, '--listen', `127.0.0.1:${port}`],
        port,
      });
      const proxy = `http://127.0.0.1:${port}`;

      // A Chromium of its own: the HAR is written when its context closes.
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ recordHar: { path: harFile } });
      const recorded = [];
      for (const page of [allowedPage, otherPage]) {
        const recorder = await Recorder.open(context, page.url);
        try {
          for (const entry of calls(proxy, page.origin)) {
            const recording = await recorder.record(entry.call);
            const message = expectedMessage(entry, page.origin, page === allowedPage);
            const outcome = message === null ? 'allowed' : 'blocked';
            report.check(
              `har session › Chromium: ${entry.name} from ${page === allowedPage ? 'the allowed' : 'a disallowed'} origin is ${outcome}`,
              recording.outcome === outcome && recording.consoleMessage === message,
              `expected ${outcome}: ${message}\nrecorded: ${summarizeRecording(recording)}`,
            );
            recorded.push({ entry, page: page.origin, recording });
          }
        } finally {
          await recorder.close();
        }
      }
      await context.close();
      report.check('har session › Playwright wrote the HAR', fs.existsSync(harFile), `no file at ${harFile}`);

      const live = await checkJson(cli.binary, ['--har', harFile]);
      compare(report, 'corsair check --har (live)', live, recorded, { offline: false });
      const offline = await checkJson(cli.binary, ['--har', harFile, '--config', configFile]);
      compare(report, 'corsair check --har --config (offline)', offline, recorded, { offline: true });
    });
  } finally {
    if (browser) await browser.close();
    await Promise.all([allowedPage.close(), otherPage.close(), upstream.close()]);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

module.exports = { name: 'har session', builds: ['corsairCli'], run };
