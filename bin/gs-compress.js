#!/usr/bin/env node
// Entry point of the gs-compress command; the code lives in dist/ (built by `npm run build`).
require('../dist/cli/main')
  .main()
  .then((code) => process.exit(code))
  .catch((e) => {
    process.stderr.write(`internal error: ${(e && e.stack) || e}\n`);
    process.exit(70);
  });
