'use strict';
// Free TCP ports for the servers a scenario starts, never one of the ports Chromium refuses to
// fetch (net::ERR_UNSAFE_PORT).

const net = require('node:net');

// Chromium's restricted ports (net/base/port_util.cc) at or above 1024; the OS hands out
// ephemeral ports far above most of them, but a port chosen here must never be one.
const CHROMIUM_UNSAFE_PORTS = new Set([
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668,
  6669, 6679, 6697, 10080,
]);

function isSafeForChromium(port) {
  return port >= 1024 && !CHROMIUM_UNSAFE_PORTS.has(port);
}

/** Asks the OS for a free port on 127.0.0.1 (bind to port 0, read it, release it). */
function ephemeralPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const handedOut = new Set();

/** A free port that Chromium may fetch and that this run has not handed out before. */
async function freePort() {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await ephemeralPort();
    if (isSafeForChromium(port) && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not find a free TCP port that Chromium considers safe');
}

module.exports = { freePort, isSafeForChromium };
