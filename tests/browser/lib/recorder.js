'use strict';
// Records what Chromium does with fetch() calls made by a page on a given origin: allowed or
// blocked, status, the response headers script can read, whether preflights were sent, and
// Chromium's own explanation (console message and the DevTools corsErrorStatus). A CORS block is
// told apart from a network error (refused connection, unsafe port): only a failure that
// Chromium attributes to CORS counts as "blocked".

const { sleep } = require('./processes');

// Console messages arrive asynchronously, after fetch() has already rejected.
const CONSOLE_SETTLE_MS = 250;
const TERMINAL_EVENT_TIMEOUT_MS = 5000;
const CORS_CONSOLE_PREFIX = 'Access to ';

/**
 * Runs in the page: performs one fetch() as described by `call` and reports what script sees.
 * Body kinds mirror `corsair check --body-type`: none, text (a string: text/plain;charset=UTF-8),
 * json (a Blob of type application/json), form (URLSearchParams), multipart (FormData), stream
 * (a ReadableStream, which always needs a preflight).
 */
async function fetchInPage(call) {
  const init = { method: call.method, headers: call.headers, credentials: call.credentials };
  if (call.redirect) init.redirect = call.redirect;
  const text = call.body ?? '';
  switch (call.bodyType) {
    case 'none':
      break;
    case 'text':
      init.body = text;
      break;
    case 'json':
      init.body = new Blob([text], { type: 'application/json' });
      break;
    case 'form':
      init.body = new URLSearchParams(text);
      break;
    case 'multipart': {
      const form = new FormData();
      form.append('field', text);
      init.body = form;
      break;
    }
    case 'stream':
      init.body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
      init.duplex = 'half';
      break;
    default:
      return { ok: false, error: `unknown body type ${call.bodyType}` };
  }
  try {
    const response = await fetch(call.url, init);
    const headers = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = await response.text();
    return { ok: true, status: response.status, headers, body, url: response.url };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

function normalizeCall(call) {
  return {
    method: 'GET',
    headers: {},
    credentials: 'same-origin',
    bodyType: 'none',
    ...call,
  };
}

function lowercaseKeys(headers = {}) {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

class Recorder {
  /** Opens a tab on `pageUrl` (served by a real server) and starts listening to the network. */
  static async open(context, pageUrl) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const recorder = new Recorder(page, cdp);
    await cdp.send('Network.enable');
    await page.goto(pageUrl, { waitUntil: 'load' });
    // Let the page's own requests (favicon) finish before the first recording.
    await sleep(100);
    return recorder;
  }

  constructor(page, cdp) {
    this.page = page;
    this.cdp = cdp;
    this.events = [];
    this.consoleLines = [];
    this.waiters = [];
    page.on('console', (message) => this.consoleLines.push(message.text().trim()));
    for (const method of [
      'Network.requestWillBeSent',
      'Network.responseReceived',
      'Network.responseReceivedExtraInfo',
      'Network.loadingFinished',
      'Network.loadingFailed',
    ]) {
      cdp.on(method, (params) => {
        this.events.push({ method, params });
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) waiter();
      });
    }
  }

  get origin() {
    return new URL(this.page.url()).origin;
  }

  /** Performs `call` (url, method, headers, credentials, bodyType, body) and resolves its Recording. */
  async record(rawCall) {
    const call = normalizeCall(rawCall);
    this.events = [];
    this.consoleLines = [];
    const seen = await this.page.evaluate(fetchInPage, call);
    const fetchId = await this.waitForTerminalEvent();
    await sleep(CONSOLE_SETTLE_MS);
    return this.describe(call, seen, fetchId);
  }

  /** Waits until the fetch request of the current recording has finished or failed. */
  async waitForTerminalEvent() {
    const deadline = Date.now() + TERMINAL_EVENT_TIMEOUT_MS;
    for (;;) {
      const fetchId = this.fetchRequestId();
      const done =
        fetchId &&
        this.events.some(
          (e) =>
            e.params.requestId === fetchId &&
            (e.method === 'Network.loadingFinished' || e.method === 'Network.loadingFailed'),
        );
      if (done || Date.now() > deadline) return fetchId;
      await this.nextEvent(100);
    }
  }

  /** Resolves on the next DevTools network event, or after `ms` milliseconds. */
  nextEvent(ms) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }

  fetchRequestId() {
    const sent = this.events.find(
      (e) => e.method === 'Network.requestWillBeSent' && e.params.type === 'Fetch',
    );
    return sent ? sent.params.requestId : null;
  }

  eventsFor(requestId, method) {
    return this.events.filter((e) => e.params.requestId === requestId && e.method === method);
  }

  preflights() {
    const ids = this.events
      .filter(
        (e) =>
          e.method === 'Network.requestWillBeSent' &&
          (e.params.initiator?.type === 'preflight' || e.params.request.method === 'OPTIONS'),
      )
      .map((e) => e.params.requestId);
    return [...new Set(ids)].map((id) => {
      const sent = this.eventsFor(id, 'Network.requestWillBeSent')[0].params;
      const received = this.eventsFor(id, 'Network.responseReceived')[0]?.params.response;
      const extra = this.eventsFor(id, 'Network.responseReceivedExtraInfo')[0]?.params;
      return {
        url: sent.request.url,
        requestHeaders: lowercaseKeys(sent.request.headers),
        status: received?.status ?? extra?.statusCode ?? null,
      };
    });
  }

  describe(call, seen, fetchId) {
    const failed = fetchId ? this.eventsFor(fetchId, 'Network.loadingFailed')[0]?.params : undefined;
    const extraInfos = fetchId ? this.eventsFor(fetchId, 'Network.responseReceivedExtraInfo') : [];
    const received = fetchId ? this.eventsFor(fetchId, 'Network.responseReceived').at(-1)?.params : undefined;
    const consoleMessage = this.consoleLines.find((line) => line.startsWith(CORS_CONSOLE_PREFIX)) ?? null;
    const corsErrorStatus = failed?.corsErrorStatus ?? null;
    let outcome;
    if (seen.ok) outcome = 'allowed';
    else if (corsErrorStatus || consoleMessage) outcome = 'blocked';
    else outcome = 'network-error';
    const preflights = this.preflights();
    return {
      call,
      pageOrigin: this.origin,
      outcome,
      status: seen.ok ? seen.status : null,
      readableHeaders: seen.ok ? seen.headers : {},
      body: seen.ok ? seen.body : null,
      finalUrl: seen.ok ? seen.url : null,
      // What the server sent on the last response of the fetch, before Chromium's CORS filter.
      receivedHeaders: lowercaseKeys(received?.response.headers ?? extraInfos.at(-1)?.params.headers),
      receivedStatus: received?.response.status ?? extraInfos.at(-1)?.params.statusCode ?? null,
      preflights,
      preflight: preflights.length > 0,
      consoleMessage,
      consoleLines: [...this.consoleLines],
      corsError: corsErrorStatus?.corsError ?? null,
      corsFailedParameter: corsErrorStatus?.failedParameter ?? null,
      networkError: failed?.errorText ?? null,
      scriptError: seen.ok ? null : seen.error,
    };
  }

  async close() {
    await this.page.close();
  }
}

/** A one-line account of a Recording, for failure messages. */
function summarizeRecording(recording) {
  const parts = [`${recording.call.method} ${recording.call.url} from ${recording.pageOrigin}: ${recording.outcome}`];
  if (recording.status !== null) parts.push(`status ${recording.status}`);
  parts.push(`preflight ${recording.preflight ? 'sent' : 'not sent'}`);
  if (recording.corsError) parts.push(`corsError ${recording.corsError}(${recording.corsFailedParameter})`);
  if (recording.networkError) parts.push(`network error ${recording.networkError}`);
  if (recording.consoleMessage) parts.push(`console: ${recording.consoleMessage}`);
  else if (recording.scriptError) parts.push(`script error: ${recording.scriptError}`);
  return parts.join('; ');
}

module.exports = { Recorder, summarizeRecording };
