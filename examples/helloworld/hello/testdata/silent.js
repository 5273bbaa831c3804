// Loads the hello world page in headless chromium and then does nothing
// for HOLD milliseconds; prints the page's connection state and how many
// replies it shows. The server's pings keep a silent page alive.
// Usage: node silent.js URL HOLD
const { launch } = require(require('path').join(__dirname, '../../../../internal/testenv/browser.js'));

(async () => {
  const [url, hold] = process.argv.slice(2);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, { timeout: 15000 });
    await page.waitForSelector('.reply', { timeout: 15000 });
    await page.waitForTimeout(Number(hold));
    console.log(await page.textContent('#state'));
    console.log(await page.evaluate(() => document.querySelectorAll('.reply').length));
  } finally {
    await browser.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
