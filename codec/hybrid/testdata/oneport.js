// A browser on gotio's shared port: loads the page the port serves, whose
// WebSocket joins the room, and prints what the page received once it holds
// the broadcast. Usage: node oneport.js URL
const { launch } = require(require('path').join(__dirname, '../../../internal/testenv/browser.js'));

(async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(process.argv[2]);
    await page.waitForFunction(() => document.getElementById('log').textContent.includes('hello everyone'), null, { timeout: 30000 });
    console.log(await page.textContent('#log'));
  } finally {
    await browser.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
