'use strict';
// The behaviour server: answers each path the way a case of the doctor matrix describes
// (the preflight's status and headers, the actual response's status and headers, redirects),
// so that Chromium and `corsair check` can be pointed at the very same server behaviour.
//
// It listens on two ports, i.e. two origins: `api` (http://127.0.0.1:A) and `api2`
// (http://127.0.0.1:B), so that redirect chains can hop to another origin. Case `name` lives at
// `/c/<name>` and its further hops at `/c/<name>/<hop>` on either origin.

const http = require('node:http');
const { freePort } = require('./lib/ports');

/**
 * A response description: { status, headers } where a header value may be a string or an array
 * of strings (one header line each), or a function of the context. `options` answers OPTIONS,
 * `actual` answers every other method.
 *
 * The context passed to functions: { origin (the request's Origin header, or null), page
 * (the test page's origin), api, api2 (the server's two origins), closed (an origin nothing
 * listens on), url (this case's first URL), name (the case's name) }.
 */
function resolve(value, context) {
  return typeof value === 'function' ? value(context) : value;
}

class BehaviourServer {
  /** Starts the server for `cases` (the doctor matrix); `page` is the test page's origin. */
  static async start(cases, { page }) {
    const server = new BehaviourServer(cases, page);
    await server.listen();
    return server;
  }

  constructor(cases, page) {
    this.page = page;
    this.routes = new Map();
    for (const entry of cases) {
      for (const [hop, route] of Object.entries(entry.routes)) {
        const path = hop === '' ? `/c/${entry.name}` : `/c/${entry.name}/${hop}`;
        if (this.routes.has(path)) throw new Error(`doctor matrix: two routes for ${path}`);
        this.routes.set(path, route);
      }
    }
    this.requests = [];
    this.servers = [];
  }

  async listen() {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      const server = http.createServer((request, response) => this.answer(request, response));
      await new Promise((ready, fail) => {
        server.once('error', fail);
        server.listen(port, '127.0.0.1', ready);
      });
      this.servers.push(server);
    }
    this.api = `http://127.0.0.1:${ports[0]}`;
    this.api2 = `http://127.0.0.1:${ports[1]}`;
    // A port nothing listens on, for the network-error case.
    this.closed = `http://127.0.0.1:${await freePort()}`;
  }

  /** The first URL of case `name`. */
  caseUrl(name) {
    return `${this.api}/c/${name}`;
  }

  /** How many preflights (OPTIONS) from Chromium the server received since `requests[since]`. */
  chromiumPreflightsSince(since) {
    return this.requests
      .slice(since)
      .filter((request) => request.method === 'OPTIONS' && request.userAgent.includes('HeadlessChrome')).length;
  }

  /** The placeholders a case can use in headers, expectations and redirect targets. */
  context(name, origin = null) {
    return {
      origin,
      page: this.page,
      api: this.api,
      api2: this.api2,
      closed: this.closed,
      url: this.caseUrl(name),
      name,
    };
  }

  answer(request, response) {
    const path = new URL(request.url, this.api).pathname;
    this.requests.push({
      method: request.method,
      path,
      origin: request.headers.origin ?? null,
      userAgent: request.headers['user-agent'] ?? '',
    });
    const route = this.routes.get(path);
    const isPreflight = request.method === 'OPTIONS';
    const description = route && (isPreflight ? route.options : route.actual);
    request.resume();
    if (!description) {
      response.writeHead(501, { 'content-type': 'text/plain' });
      response.end(`behaviour server: no ${isPreflight ? 'preflight' : 'actual'} answer for ${path}\n`);
      return;
    }
    const name = path.split('/')[2];
    const context = this.context(name, request.headers.origin ?? null);
    const { status = 200, headers = {}, body = `${request.method} ${path}\n` } = resolve(description, context);
    for (const [header, value] of Object.entries(resolve(headers, context))) {
      const resolved = resolve(value, context);
      if (resolved !== undefined && resolved !== null) response.setHeader(header, resolved);
    }
    if (!response.hasHeader('content-type')) response.setHeader('content-type', 'text/plain');
    response.writeHead(status);
    response.end(request.method === 'HEAD' || status === 204 || status === 304 ? undefined : body);
  }

  async close() {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise((done) => {
            server.close(done);
            server.closeAllConnections();
          }),
      ),
    );
  }
}

module.exports = { BehaviourServer, resolve };
