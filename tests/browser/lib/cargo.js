'use strict';
// Builds the Rust binaries the suite drives, once at suite start, into the repository's target
// directory (or CARGO_TARGET_DIR), and says where each binary is.

const path = require('node:path');
const { runCommand } = require('./processes');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function targetDir() {
  const configured = process.env.CARGO_TARGET_DIR;
  if (!configured) return path.join(REPO_ROOT, 'target');
  return path.resolve(REPO_ROOT, configured);
}

/** The Rust programs the scenarios need; `features` is passed to cargo as `--features`. */
const TARGETS = {
  axumExample: {
    args: ['build', '-p', 'corsair', '--example', 'axum', '--features', 'config'],
    binary: () => path.join(targetDir(), 'debug', 'examples', 'axum'),
  },
  actixExample: {
    args: ['build', '-p', 'corsair', '--example', 'actix', '--features', 'actix,config'],
    binary: () => path.join(targetDir(), 'debug', 'examples', 'actix'),
  },
  corsairCli: {
    args: ['build', '-p', 'corsair-cli'],
    binary: () => path.join(targetDir(), 'debug', 'corsair'),
  },
};

/**
 * Runs `cargo build` for one target. Resolves { ok, binary, command, error }; `error` holds the
 * end of cargo's output (its first `error` lines) when the build failed.
 */
async function build(name) {
  const target = TARGETS[name];
  const command = `cargo ${target.args.join(' ')}`;
  const started = Date.now();
  const result = await runCommand('cargo', target.args, { cwd: REPO_ROOT });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.code === 0) {
    return { ok: true, binary: target.binary(), command, seconds };
  }
  return { ok: false, binary: null, command, seconds, error: summarizeCargoFailure(result.stderr) };
}

/** The first error of a cargo run with its location lines, or the last lines of its output. */
function summarizeCargoFailure(stderr) {
  const lines = stderr.split('\n');
  const first = lines.findIndex((line) => /^error(\[E\d+\])?:/.test(line));
  const excerpt = first >= 0 ? lines.slice(first, first + 8) : lines.slice(-8);
  return excerpt.join('\n').trim();
}

module.exports = { build, REPO_ROOT, targetDir };
