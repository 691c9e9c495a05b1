'use strict';
// Serves the blank test page from a real HTTP server, so that the page has a real origin
// (`http://localhost:PORT`). Requests are never intercepted in the browser: interception makes
// Playwright answer CORS preflights itself.

const http = require('node:http');
const { freePort } = require('./ports');

const TEST_PAGE = '<!doctype html><meta charset="utf-8"><title>corsair browser test page</title>';

/**
 * Starts a page server; resolves { origin, url, close() }. `host` names the origin's host; `port`
 * a fixed port (the seed story's `http://localhost:8080`), else a free one.
 */
async function startPageServer({ host = 'localhost', port: fixed } = {}) {
  const port = fixed ?? (await freePort());
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : TEST_PAGE);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `http://${host}:${port}`;
  return {
    origin,
    url: `${origin}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

module.exports = { startPageServer };
