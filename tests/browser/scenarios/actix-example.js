'use strict';
// Scenario 4: examples/actix.rs (corsair's actix-web middleware) in Chromium, with the same
// checks as the axum example. Skipped, with the reason, while the example does not build.

const { checkExampleApp } = require('./example-app');

module.exports = {
  name: 'actix example',
  builds: ['actixExample'],
  async run(suite) {
    const build = suite.builds.actixExample;
    if (!build.ok) {
      suite.report.skip(
        'actix example',
        `\`${build.command}\` does not build yet, so the actix adapter is not checked:\n        ${build.error.split('\n')[0]}`,
      );
      return;
    }
    await checkExampleApp(suite, { label: 'actix', binary: build.binary, extraEnv: suite.options.exampleEnv });
  },
};
