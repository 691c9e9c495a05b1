'use strict';
// Runs `corsair check ... --json` for a fetch() description and returns its prediction.
//
// The contract: one JSON object on stdout with `verdict` ("allowed" | "blocked" | "error"),
// `message` (Chromium's console line, or null), `preflight` (bool), `steps`, `advice`,
// `warnings`; exit status 0 allowed, 1 blocked, 2 usage or network error.

const { runCommand, commandLine: shellLine } = require('./processes');

const CHECK_TIMEOUT_MS = 30000;
const CONTRACT_KEYS = ['verdict', 'message', 'preflight', 'steps', 'advice', 'warnings'];

/** The `corsair check` arguments for `call` ({ url, method, headers, credentials, bodyType }) from `origin`. */
function checkArguments(call, origin) {
  const args = ['check', call.url, '--origin', origin, '--method', call.method ?? 'GET'];
  for (const [name, value] of Object.entries(call.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (call.credentials === 'include') args.push('--credentials');
  if (call.bodyType && call.bodyType !== 'none') args.push('--body-type', call.bodyType);
  args.push('--json');
  return args;
}

/**
 * Resolves { prediction, commandLine } or { error, commandLine } when `corsair check` did not
 * print the JSON object of its contract.
 */
async function predict(binary, call, origin) {
  const args = checkArguments(call, origin);
  const commandLine = shellLine(binary, args);
  const result = await runCommand(binary, args, { timeoutMs: CHECK_TIMEOUT_MS });
  let prediction;
  try {
    prediction = JSON.parse(result.stdout);
    if (prediction === null || typeof prediction !== 'object' || Array.isArray(prediction)) throw new Error('not an object');
  } catch {
    const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(0, 6).join('\n');
    return {
      commandLine,
      error: `corsair check exited with ${result.code ?? result.signal} without a JSON object on stdout:\n${output}`,
    };
  }
  const problems = CONTRACT_KEYS.filter((key) => !(key in prediction)).map((key) => `no key '${key}'`);
  if (!['allowed', 'blocked', 'error'].includes(prediction.verdict)) problems.push(`verdict ${JSON.stringify(prediction.verdict)}`);
  if (!(prediction.message === null || typeof prediction.message === 'string')) problems.push('message is neither a string nor null');
  if (typeof prediction.preflight !== 'boolean') problems.push('preflight is not a boolean');
  if (problems.length > 0) {
    return { commandLine, error: `corsair check --json broke its contract: ${problems.join('; ')}\n${result.stdout.slice(0, 500)}` };
  }
  return { commandLine, prediction, exitCode: result.code };
}

module.exports = { predict, checkArguments };
