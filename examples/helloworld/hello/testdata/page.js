// Loads the hello world page in headless chromium, sends a text and prints
// the reply the page shows. Usage: node page.js URL TEXT SCREENSHOT
const { launch } = require(require('path').join(__dirname, '../../../../internal/testenv/browser.js'));

(async () => {
  const [url, text, shot] = process.argv.slice(2);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, { timeout: 15000 });
    await page.fill('#text', text);
    await page.click('#send');
    const reply = await page.waitForSelector('.reply', { timeout: 15000 });
    console.log(await reply.textContent());
    if (shot) await page.screenshot({ path: shot });
  } finally {
    await browser.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
