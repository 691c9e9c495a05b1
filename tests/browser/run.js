#!/usr/bin/env node
'use strict';
// The real-Chromium end-to-end suite of corsair. Usage:
//
//   npm test --prefix tests/browser [-- OPTIONS]
//
//   --only TEXT             run only the scenarios whose name contains TEXT (repeatable)
//   --chromium-only         doctor scenario: check Chromium against the matrix's expectations
//                           only, without asking `corsair check` (to validate the matrix)
//   --example-env NAME=VAL  start the framework examples with this extra CORS_* variable
//                           (repeatable; e.g. `CORS_EXPOSE_HEADERS=` to see the suite fail)
//
// Prints one line per check and, as its last line, `N passed, N failed`. Exits 1 on any failed
// check or infrastructure error (a server that does not start is a failure, not a skip).

const { Report } = require('./lib/report');
const { launchChromium } = require('./lib/browser');
const { build } = require('./lib/cargo');
const { killAllStartedSync } = require('./lib/processes');

const SCENARIOS = [
  require('./scenarios/axum-example'),
  require('./scenarios/django-seed-story'),
  require('./scenarios/routes'),
  require('./scenarios/doctor'),
  require('./scenarios/actix-example'),
  require('./scenarios/proxy-https'),
  require('./scenarios/har-session'),
  require('./scenarios/local-network'),
  require('./scenarios/local-guard'),
  require('./scenarios/python-middlewares'),
];
const SUITE_TIMEOUT_MS = 10 * 60 * 1000;

function parseArguments(argv) {
  const options = { only: [], chromiumOnly: false, exampleEnv: {} };
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i];
    if (argument === '--only' && i + 1 < argv.length) options.only.push(argv[++i]);
    else if (argument === '--chromium-only') options.chromiumOnly = true;
    else if (argument === '--example-env' && i + 1 < argv.length) {
      const assignment = argv[++i];
      const equals = assignment.indexOf('=');
      if (equals < 1) throw new Error(`--example-env expects NAME=VALUE, got '${assignment}'`);
      options.exampleEnv[assignment.slice(0, equals)] = assignment.slice(equals + 1);
    } else throw new Error(`unknown argument '${argument}' (see the top of tests/browser/run.js)`);
  }
  return options;
}

async function main(report) {
  const options = parseArguments(process.argv.slice(2));
  const selected = SCENARIOS.filter(
    (scenario) => options.only.length === 0 || options.only.some((text) => scenario.name.includes(text)),
  );
  if (selected.length === 0) throw new Error(`no scenario matches --only ${options.only.join(', ')}`);

  const builds = {};
  const targetsOf = (scenario) =>
    typeof scenario.builds === 'function' ? scenario.builds(options) : scenario.builds;
  for (const target of new Set(selected.flatMap(targetsOf))) {
    builds[target] = await build(target);
    const { command, seconds, ok } = builds[target];
    report.note(`${command}: ${ok ? 'built' : 'FAILED'} in ${seconds} s`);
  }

  const browser = await launchChromium();
  activeBrowser = browser;
  try {
    for (const scenario of selected) {
      const started = Date.now();
      report.note(`--- ${scenario.name}`);
      try {
        await scenario.run({ report, context: browser.context, builds, options });
      } catch (error) {
        // Playwright appends Chromium's whole stderr to its errors; the first part says what failed.
        report.fail(`${scenario.name} › infrastructure`, error.message.split('\nBrowser logs:')[0]);
      }
      report.note(`${scenario.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    activeBrowser = null;
    await browser.close();
  }
}

// The browser of the running suite, closed by the signal handlers.
let activeBrowser = null;

/** Stops everything this run started, then exits: on SIGINT/SIGTERM and on the watchdog. */
async function abort(exitCode) {
  killAllStartedSync();
  if (activeBrowser) {
    await Promise.race([activeBrowser.close().catch(() => {}), new Promise((done) => setTimeout(done, 3000))]);
  }
  process.exit(exitCode);
}

const report = new Report();
const started = Date.now();
const watchdog = setTimeout(() => {
  report.fail('suite', `did not finish within ${SUITE_TIMEOUT_MS / 60000} minutes`);
  report.summarize();
  abort(1);
}, SUITE_TIMEOUT_MS);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    process.stdout.write(`\n${signal}: stopping the servers and the browser\n`);
    abort(130);
  });
}
process.on('exit', killAllStartedSync);

main(report)
  .catch((error) => report.fail('suite › infrastructure', error.stack || String(error)))
  .finally(() => {
    clearTimeout(watchdog);
    report.note(`total: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    report.summarize();
    process.exitCode = report.failed > 0 ? 1 : 0;
  });
