// Shared launcher for gotio's browser tests: Debian's chromium driven by
// playwright-core, with the flags this sandbox needs.
const { chromium } = require('playwright-core');

exports.launch = () => chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
