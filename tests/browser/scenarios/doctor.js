'use strict';
// Scenario 3, the doctor's acceptance test: for every server behaviour of the doctor matrix,
// Chromium's verdict, console message and preflight are recorded live, checked against the
// matrix's expectation (so each case provably exercises what it describes), and compared with
// what `corsair check --json` predicts for the same request. With --chromium-only the
// comparison with `corsair check` is left out (to validate the matrix on its own).

const { cases } = require('../doctor-matrix');
const { BehaviourServer } = require('../behaviour-server');
const { Recorder, summarizeRecording } = require('../lib/recorder');
const { startPageServer } = require('../lib/page-server');
const { blockedMessage } = require('../lib/chromium-messages');
const { predict } = require('../lib/corsair-check');

const VERDICT_OF_OUTCOME = { allowed: 'allowed', blocked: 'blocked', 'network-error': 'error' };
// `corsair check` exits 0 when allowed, 1 when blocked, 2 on a usage or network error.
const EXIT_STATUS_OF_VERDICT = { allowed: 0, blocked: 1, error: 2 };

function fetchCall(entry, url) {
  const { credentials = false, ...rest } = entry.fetch;
  return { ...rest, url, credentials: credentials ? 'include' : 'same-origin' };
}

/** What Chromium must do for `entry`, with URLs and origins filled in from the live servers. */
function expectationOf(entry, context) {
  const { verdict, preflight, reason, at } = entry.expect;
  const message =
    verdict === 'blocked'
      ? blockedMessage({
          url: at ? at(context) : context.url,
          redirectedFrom: at ? context.url : null,
          origin: context.page,
          reason: reason(context),
        })
      : null;
  return { verdict, message, preflight };
}

function differences(expected, actual, labels) {
  const lines = [];
  for (const key of Object.keys(expected)) {
    const want = expected[key] === undefined ? null : expected[key];
    const got = actual[key] === undefined ? null : actual[key];
    const same = typeof want === 'string' && typeof got === 'string' ? want.trim() === got.trim() : want === got;
    if (!same) lines.push(`${key}:\n  ${labels[0]} ${JSON.stringify(want)}\n  ${labels[1]} ${JSON.stringify(got)}`);
  }
  return lines;
}

function headerVisibility(entry, recording) {
  const lines = [];
  for (const name of entry.expect.readable ?? []) {
    if (!(name in recording.readableHeaders)) lines.push(`${name} should be readable by script but is not`);
  }
  for (const name of entry.expect.hidden ?? []) {
    if (!(name in recording.receivedHeaders)) lines.push(`${name} was not sent by the server, so hiding it proves nothing`);
    if (name in recording.readableHeaders) lines.push(`${name} should be hidden from script but is readable`);
  }
  return lines;
}

/** The recorder's preflights (DevTools events) must be the OPTIONS requests the server got. */
function preflightsSeenByServer(recording, received) {
  if (recording.preflights.length === received) return [];
  return [`DevTools reported ${recording.preflights.length} preflight(s), the server received ${received} from Chromium`];
}

async function run({ report, context, builds, options }) {
  const compareWithCheck = !options.chromiumOnly;
  const cli = builds.corsairCli;
  if (compareWithCheck && !cli.ok) {
    report.fail('doctor › build', `${cli.command} failed, so corsair check cannot be compared:\n${cli.error}`);
  }
  const page = await startPageServer();
  const server = await BehaviourServer.start(cases, { page: page.origin });
  let recorder;
  try {
    recorder = await Recorder.open(context, page.url);
    for (const entry of cases) {
      const ctx = server.context(entry.name, page.origin);
      const call = fetchCall(entry, entry.url ? entry.url(ctx) : ctx.url);
      const requestsBefore = server.requests.length;
      const [recording, checked] = await Promise.all([
        recorder.record(call),
        compareWithCheck && cli.ok ? predict(cli.binary, call, page.origin) : null,
      ]);
      const chromium = {
        verdict: VERDICT_OF_OUTCOME[recording.outcome],
        message: recording.consoleMessage,
        preflight: recording.preflight,
      };
      const problems = [
        ...differences(expectationOf(entry, ctx), chromium, ['expected', 'Chromium']),
        ...headerVisibility(entry, recording),
        ...preflightsSeenByServer(recording, server.chromiumPreflightsSince(requestsBefore)),
      ];
      report.check(
        `doctor › ${entry.name} › Chromium: ${entry.expect.verdict} (${entry.about})`,
        problems.length === 0,
        [...problems, `recorded: ${summarizeRecording(recording)}`].join('\n'),
      );
      if (!checked) continue;
      const name = `doctor › ${entry.name} › corsair check agrees with Chromium`;
      if (checked.error) {
        report.fail(name, `${checked.error}\ncommand: ${checked.commandLine}`);
        continue;
      }
      const disagreements = differences(chromium, checked.prediction, ['Chromium     ', 'corsair check']);
      if (checked.exitCode !== EXIT_STATUS_OF_VERDICT[checked.prediction.verdict]) {
        disagreements.push(`exit status ${checked.exitCode} does not match the verdict '${checked.prediction.verdict}'`);
      }
      report.check(name, disagreements.length === 0, [...disagreements, `command: ${checked.commandLine}`].join('\n'));
      for (const id of entry.expect.warnings ?? []) {
        const given = (checked.prediction.warnings ?? []).map((warning) => warning.id);
        report.check(
          `doctor › ${entry.name} › corsair check warns '${id}'`,
          given.includes(id),
          `warnings given: ${JSON.stringify(given)}\ncommand: ${checked.commandLine}`,
        );
      }
    }
  } finally {
    if (recorder) await recorder.close();
    await server.close();
    await page.close();
  }
}

module.exports = {
  name: 'doctor matrix',
  // Without the comparison there is nothing to build.
  builds: (options) => (options.chromiumOnly ? [] : ['corsairCli']),
  run,
};
