// Loads the hello world page in headless chromium, prints the reply it
// shows on load (without a click), then sends TEXT and prints that reply.
// Usage: node page.js URL TEXT SCREENSHOT
const { launch } = require(require('path').join(__dirname, '../../../../internal/testenv/browser.js'));

(async () => {
  const [url, text, shot] = process.argv.slice(2);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, { timeout: 15000 });
    const first = await page.waitForSelector('.reply', { timeout: 15000 });
    console.log(await first.textContent());
    await page.fill('#text', text);
    await page.click('#send');
    await page.waitForFunction(() => document.querySelectorAll('.reply').length === 2, null, { timeout: 15000 });
    console.log(await page.textContent('.reply:nth-child(2)'));
    if (shot) await page.screenshot({ path: shot });
  } finally {
    await browser.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
