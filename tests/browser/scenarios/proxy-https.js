'use strict';
// Scenario 5: `corsair serve` over HTTPS. The test makes its own certificate (an ECDSA P-256 key
// with Node's crypto, a self-signed X.509 certificate for 127.0.0.1 and localhost encoded here,
// the key written as SEC1 PEM), starts corsair with --tls-cert/--tls-key in front of a small
// upstream, and a Chromium of its own that accepts exactly that certificate
// (--ignore-certificate-errors-spki-list with the key's SPKI hash, in a throwaway profile).
// Pages on http://localhost:P and on https://localhost:Q call https://127.0.0.1:R: the CORS
// requests (a simple GET and a preflighted PUT) are allowed, Chromium reaches corsair over
// HTTP/2 (`nextHopProtocol` 'h2' in Resource Timing, 'h2' in DevTools), and the upstream is told
// `X-Forwarded-Proto: https`. The upstream sends `Timing-Allow-Origin: *`, which corsair passes
// on: without it Chromium reports a cross-origin entry's nextHopProtocol as ''.

const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { CHROMIUM_ARGS } = require('../lib/browser');
const { Recorder } = require('../lib/recorder');
const { startPageServer } = require('../lib/page-server');
const { freePort } = require('../lib/ports');
const { withServers } = require('../lib/processes');
const { expectRecording, expectThat, jsonBody } = require('../lib/expect');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TEST_PAGE = '<!doctype html><meta charset="utf-8"><title>corsair https test page</title>';

// DER, as much of it as a certificate needs (X.690).
function der(tag, ...contents) {
  const body = Buffer.concat(contents);
  let length;
  if (body.length < 0x80) length = Buffer.from([body.length]);
  else if (body.length < 0x100) length = Buffer.from([0x81, body.length]);
  else length = Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
// A non-negative INTEGER in its one DER form (X.690 §8.3.2): no leading zero byte unless the
// next byte has its high bit set, which would otherwise read as negative.
function integer(bytes) {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1] < 0x80) start += 1;
  const minimal = bytes.subarray(start);
  return der(0x02, minimal[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}
// The serial that once made OpenSSL refuse the certificate ("illegal padding"): a random
// first byte of 0x00 before a byte under 0x80.
assert.deepStrictEqual(integer(Buffer.from([0x00, 0x3f, 0x01])), Buffer.from([0x02, 0x02, 0x3f, 0x01]));
assert.deepStrictEqual(integer(Buffer.from([0x00, 0x00])), Buffer.from([0x02, 0x01, 0x00]));
assert.deepStrictEqual(integer(Buffer.from([0x80])), Buffer.from([0x02, 0x02, 0x00, 0x80]));
const sequence = (...items) => der(0x30, ...items);
const oid = (bytes) => der(0x06, Buffer.from(bytes));
const utcTime = (date) => der(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));
const ECDSA_WITH_SHA256 = sequence(oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]));
const name = (commonName) =>
  sequence(der(0x31, sequence(oid([0x55, 0x04, 0x03]), der(0x0c, Buffer.from(commonName)))));

/**
 * A self-signed certificate for 127.0.0.1 and localhost, valid from an hour ago for a day.
 * Resolves { cert, key } (PEM) and `spkiHash`, the base64 SHA-256 of its public key.
 */
function makeCertificate() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const subject = name('corsair browser test');
  const now = Date.now();
  const serial = crypto.randomBytes(8);
  const subjectAltName = sequence(
    oid([0x55, 0x1d, 0x11]),
    der(0x04, sequence(der(0x87, Buffer.from([127, 0, 0, 1])), der(0x82, Buffer.from('localhost')))),
  );
  const tbs = sequence(
    der(0xa0, integer(Buffer.from([2]))), // version 3
    integer(serial),
    ECDSA_WITH_SHA256,
    subject,
    sequence(utcTime(new Date(now - 3600e3)), utcTime(new Date(now + 86400e3))),
    subject,
    spki,
    der(0xa3, sequence(subjectAltName)),
  );
  const signature = crypto.sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, der(0x03, Buffer.from([0]), signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g).join('\n');
  const cert = `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
  new crypto.X509Certificate(cert); // throws if the encoding above is wrong
  return {
    cert,
    key: privateKey.export({ type: 'sec1', format: 'pem' }),
    spkiHash: crypto.createHash('sha256').update(spki).digest('base64'),
  };
}

/** The upstream: answers JSON with what it was told about the request, readable cross-origin timing. */
async function startUpstream() {
  const port = await freePort();
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'timing-allow-origin': '*' });
      response.end(
        JSON.stringify({
          method: request.method,
          body,
          forwardedProto: request.headers['x-forwarded-proto'] ?? null,
          via: request.headers.via ?? null,
        }),
      );
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

/** The test page over HTTPS (the same certificate), on https://localhost:PORT. */
async function startHttpsPageServer({ cert, key }) {
  const port = await freePort();
  const server = https.createServer({ cert, key }, (request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : TEST_PAGE);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `https://localhost:${port}`;
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

/** A Chromium of this scenario's own that trusts the key with `spkiHash` and nothing else extra. */
async function launchTrusting(spkiHash) {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH} (install it with: apt-get install -y chromium)`);
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'corsair-chromium-https-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spkiHash}`],
  });
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        fs.rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

/** What Resource Timing says of `url` in the page: the nextHopProtocol of each of its entries. */
function nextHopProtocols(recorder, url) {
  return recorder.page.evaluate(
    (wanted) =>
      performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name === wanted)
        .map((entry) => entry.nextHopProtocol),
    url,
  );
}

/** The protocol DevTools saw for the fetch of the last recording. */
function devtoolsProtocol(recorder) {
  const fetched = recorder.fetchRequestId();
  const received = recorder.eventsFor(fetched, 'Network.responseReceived').at(-1);
  return received?.params.response.protocol ?? null;
}

async function run({ report, builds }) {
  const cli = builds.corsairCli;
  if (!cli.ok) {
    report.fail('corsair serve over https › build', `${cli.command} failed:\n${cli.error}`);
    return;
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'corsair-https-'));
  const certificate = makeCertificate();
  const certFile = path.join(directory, 'fullchain.pem');
  const keyFile = path.join(directory, 'privkey.pem');
  fs.writeFileSync(certFile, certificate.cert);
  fs.writeFileSync(keyFile, certificate.key, { mode: 0o600 });

  const upstream = await startUpstream();
  const plainPage = await startPageServer();
  const securePage = await startHttpsPageServer(certificate);
  const browser = await launchTrusting(certificate.spkiHash);
  const recorders = [];
  try {
    await withServers(async (servers) => {
      const port = await freePort();
      await servers.start({
        name: 'corsair serve (https)',
        command: cli.binary,
        args: [
          'serve',
          '--listen',
          `127.0.0.1:${port}`,
          '--upstream',
          upstream.url,
          '--tls-cert',
          certFile,
          '--tls-key',
          keyFile,
        ],
        env: { CORS_ALLOWED_ORIGINS: `${plainPage.origin},${securePage.origin}` },
        port,
      });
      const proxy = `https://127.0.0.1:${port}`;

      for (const [label, pageServer] of [
        ['an http page', plainPage],
        ['an https page', securePage],
      ]) {
        const page = await Recorder.open(browser.context, pageServer.url);
        recorders.push(page);
        const title = (text) => `corsair serve over https › ${label} › ${text}`;

        const getUrl = `${proxy}/api/items?from=${encodeURIComponent(pageServer.origin)}`;
        const get = await page.record({ url: getUrl });
        expectRecording(report, title('GET over https is allowed without a preflight'), get, {
          outcome: 'allowed',
          status: 200,
          preflight: false,
        });
        const told = jsonBody(get);
        expectThat(
          report,
          title('the upstream is told X-Forwarded-Proto: https, and HTTP/2 in Via'),
          get,
          told?.forwardedProto === 'https' && told?.via === '2 corsair',
          `expected forwardedProto 'https' and via '2 corsair', got ${get.body}`,
        );
        const protocols = await nextHopProtocols(page, getUrl);
        expectThat(
          report,
          title("Resource Timing's nextHopProtocol is h2"),
          get,
          protocols.length === 1 && protocols[0] === 'h2',
          `expected ['h2'], got ${JSON.stringify(protocols)}`,
        );
        expectThat(
          report,
          title('DevTools saw the response over h2'),
          get,
          devtoolsProtocol(page) === 'h2',
          `expected 'h2', got ${JSON.stringify(devtoolsProtocol(page))}`,
        );

        const putUrl = `${proxy}/api/items/1?from=${encodeURIComponent(pageServer.origin)}`;
        const put = await page.record({
          url: putUrl,
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          bodyType: 'text',
          body: '{"done":true}',
        });
        expectRecording(report, title('a PUT with JSON is preflighted over h2 and allowed'), put, {
          outcome: 'allowed',
          status: 200,
          preflight: true,
        });
        expectThat(
          report,
          title('the PUT reaches the upstream with its body'),
          put,
          jsonBody(put)?.method === 'PUT' && jsonBody(put)?.body === '{"done":true}',
          `expected method PUT with the JSON body, got ${put.body}`,
        );
        const preflightStatus = put.preflights[0]?.status ?? null;
        expectThat(
          report,
          title("corsair answered the preflight itself (204)"),
          put,
          preflightStatus === 204,
          `expected 204, got ${preflightStatus}`,
        );
      }
    });
  } finally {
    for (const recorder of recorders) await recorder.close();
    await browser.close();
    await securePage.close();
    await plainPage.close();
    await upstream.close();
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

module.exports = { name: 'corsair serve over https', builds: ['corsairCli'], run };
