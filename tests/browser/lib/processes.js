'use strict';
// Starts server processes (the axum example, Django, `corsair serve`) so that the recorded PID is
// the server itself (no shell in between), waits until they accept connections, and stops them
// by PID. Every process started here is also stopped if the runner exits early.

const { spawn } = require('node:child_process');
const net = require('node:net');

const running = new Set();

function canConnect(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The runner's environment without `CORS_*` variables, so a developer's shell cannot change a policy under test. */
function inheritedEnvironment() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CORS_')));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the last `limit` characters of a stream, for failure messages. */
function tail(stream, limit = 4000) {
  const buffer = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffer.text = (buffer.text + chunk).slice(-limit);
  });
  return buffer;
}

/**
 * Starts `command args` and resolves once it accepts TCP connections on 127.0.0.1:`port`.
 * Rejects (after stopping it) if the process exits first or does not listen within `timeoutMs`;
 * the error names the server and carries the end of its output.
 */
async function startServer({ name, command, args = [], env = {}, cwd, port, timeoutMs = 30000 }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...inheritedEnvironment(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = tail(child.stdout);
  const errors = tail(child.stderr);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ error }));
  });
  const server = {
    name,
    pid: child.pid,
    port,
    output: () => `${output.text}${errors.text}`.trim(),
    stop: () => stopProcess(child, exited),
  };
  running.add(server);
  let exitStatus = null;
  exited.then((status) => {
    exitStatus = status;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitStatus) break;
    if (await canConnect(port)) return server;
    await sleep(100);
  }
  await server.stop();
  const how = exitStatus
    ? exitStatus.error
      ? `could not be started (${exitStatus.error.message})`
      : `exited with ${exitStatus.signal || `status ${exitStatus.code}`} before listening`
    : `did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s`;
  throw new Error(
    `${name} ${how}\n  command: ${commandLine(command, args, env)}\n  output:\n${indent(server.output() || '(none)')}`,
  );
}

/** Quotes a word for a POSIX shell when it needs it. */
function shellQuote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The command as one copy-pasteable shell line, with the environment variables this suite set. */
function commandLine(command, args, env = {}) {
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${shellQuote(value)}`);
  return [...assignments, ...[command, ...args].map(shellQuote)].join(' ');
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** Stops a child by PID: SIGTERM, then SIGKILL after 3 s. Resolves once it has exited. */
async function stopProcess(child, exited) {
  for (const server of running) {
    if (server.pid === child.pid) running.delete(server);
  }
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const killed = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
  if (!killed) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      return;
    }
    await exited;
  }
}

/** Synchronous last resort when the runner itself is exiting: SIGKILL every server and command still running. */
function killAllStartedSync() {
  for (const server of running) {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

module.exports = { startServer, canConnect, killAllStartedSync, sleep };

/**
 * Runs `body(servers)` where `servers.start(options)` starts a server as `startServer` does;
 * every server started that way is stopped when `body` ends, whether it succeeded or threw.
 */
async function withServers(body) {
  const started = [];
  const servers = {
    async start(options) {
      const server = await startServer(options);
      started.push(server);
      return server;
    },
  };
  try {
    return await body(servers);
  } finally {
    for (const server of started.reverse()) await server.stop();
  }
}

/** Runs a command to completion without blocking the event loop; resolves { code, stdout, stderr }. */
function runCommand(command, args, { cwd, env = {}, timeoutMs = 600000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const handle = { pid: child.pid };
    running.add(handle);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(handle);
      resolve({ code: null, stdout, stderr: `${stderr}${error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(handle);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

module.exports.withServers = withServers;
module.exports.runCommand = runCommand;
module.exports.commandLine = commandLine;
