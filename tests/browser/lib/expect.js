'use strict';
// Assertions on Recordings: each prints what was expected, what Chromium did, and the recording.

const { isDeepStrictEqual } = require('node:util');
const { summarizeRecording } = require('./recorder');

function show(value) {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/**
 * Checks that `recording` has every field of `expected` (deep equality), e.g.
 * { outcome: 'blocked', preflight: true, consoleMessage: '...' }.
 */
function expectRecording(report, name, recording, expected) {
  const mismatches = [];
  for (const [key, want] of Object.entries(expected)) {
    const got = recording[key];
    if (!isDeepStrictEqual(got, want)) {
      mismatches.push(`${key}:\n  expected ${show(want)}\n  actual   ${show(got)}`);
    }
  }
  report.check(name, mismatches.length === 0, [...mismatches, `recorded: ${summarizeRecording(recording)}`].join('\n'));
}

/** Checks a condition on a recording; `explain` says what was expected. */
function expectThat(report, name, recording, condition, explain) {
  report.check(name, Boolean(condition), `${explain}\nrecorded: ${summarizeRecording(recording)}`);
}

/** The response body parsed as JSON, or undefined when there is none or it is not JSON. */
function jsonBody(recording) {
  try {
    return recording.body === null ? undefined : JSON.parse(recording.body);
  } catch {
    return undefined;
  }
}

module.exports = { expectRecording, expectThat, jsonBody };
