// Opens the page at argv[2] (https, self-signed) in headless Chromium; the
// page joins over wss:// and records every message. Waits for the
// broadcast, then half a second more, and prints the messages as JSON.
'use strict';
const { launch } = require('../../../internal/testenv/browser.js');

(async () => {
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await ctx.newPage();
    await page.goto(process.argv[2]);
    await page.waitForFunction(() => window.msgs.some((m) => m.includes('hello all')), null, { timeout: 20000 });
    await page.waitForTimeout(500);
    const out = await page.evaluate(() => ({ msgs: window.msgs, protocol: window.wsProtocol, ext: window.wsExt }));
    console.log(JSON.stringify(out));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
