'use strict';
// Counts and prints the suite's results: one line per check, and as the very last line
// `N passed, N failed`. A skipped check is printed with its reason and counted apart.

class Report {
  constructor(out = process.stdout) {
    this.out = out;
    this.passed = 0;
    this.failed = 0;
    this.skipped = [];
    this.failures = [];
  }

  /** Records one check. `detail` explains a failure (expected vs actual); it is printed only then. */
  check(name, ok, detail = '') {
    if (ok) {
      this.passed += 1;
      this.out.write(`PASS  ${name}\n`);
    } else {
      this.fail(name, detail);
    }
  }

  /** Records a failed check: a wrong outcome, or infrastructure that did not work. */
  fail(name, detail) {
    this.failed += 1;
    this.failures.push(name);
    this.out.write(`FAIL  ${name}\n`);
    for (const line of String(detail || 'no detail').split('\n')) {
      this.out.write(`        ${line}\n`);
    }
  }

  /** Records a check that could not run yet, with the reason; it counts neither as passed nor failed. */
  skip(name, reason) {
    this.skipped.push(name);
    this.out.write(`SKIP  ${name}: ${reason}\n`);
  }

  /** Prints an informational line (timings, context). */
  note(text) {
    this.out.write(`      ${text}\n`);
  }

  /** Prints the summary; the last line is exactly `N passed, N failed`. */
  summarize() {
    if (this.failures.length > 0) {
      this.out.write(`\nFailed checks:\n`);
      for (const name of this.failures) this.out.write(`  - ${name}\n`);
    }
    if (this.skipped.length > 0) {
      this.out.write(`${this.skipped.length} skipped: ${this.skipped.join('; ')}\n`);
    }
    this.out.write(`${this.passed} passed, ${this.failed} failed\n`);
  }
}

module.exports = { Report };
