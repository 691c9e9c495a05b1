'use strict';
// Scenario 1: examples/axum.rs (corsair's tower layer in axum) in Chromium.

const { checkExampleApp } = require('./example-app');

module.exports = {
  name: 'axum example',
  builds: ['axumExample'],
  async run(suite) {
    const build = suite.builds.axumExample;
    if (!build.ok) {
      suite.report.fail('axum › build', `${build.command} failed:\n${build.error}`);
      return;
    }
    await checkExampleApp(suite, { label: 'axum', binary: build.binary, extraEnv: suite.options.exampleEnv });
  },
};
