// browser.js loads a gotio page using socket.io-client (served from
// node_modules' dist file by the gotio port itself) in headless chromium,
// waits until the page logged everything the Go test expects, and prints
// the log. Usage: node browser.js URL
const { launch } = require(require('path').join(__dirname, '../../../internal/testenv/browser.js'));

(async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(process.argv[2]);
    await page.waitForFunction(() => document.getElementById('log').textContent.includes('all done'), null, { timeout: 20000 })
      .catch(() => {});
    console.log(await page.textContent('#log'));
  } finally {
    await browser.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
