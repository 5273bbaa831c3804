// Drives the chat's socket.io page (sio.html) in headless chromium for
// socketio_test.go: sam logs in to room r1, sees grace (a Go pomelo
// client the test runs) in the user list, hears her, and answers.
//
//   script: ready     sam is in r1 and sees grace
//   test:   go-sent   grace said "hi sam" to the room
//   script: done      the page showed it and sent its answer
//
// Usage: node sio_page.js URL
const path = require('path');
const readline = require('readline');
const { launch } = require(path.join(__dirname, '../../../../internal/testenv/browser.js'));

const [url] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const T = { timeout: 30000 };

(async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 600 } });
    page.on('pageerror', (e) => console.error('page error: ' + e.message));
    await page.goto(url);
    await page.fill('#name', 'sam');
    await page.fill('#room', 'r1');
    await page.click('#login-btn');
    await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, T);
    await page.waitForFunction(() => [...document.querySelectorAll('#users li')].some((li) => li.textContent.startsWith('grace')), null, T);
    console.log('ready');
    const { value } = await lines.next();
    if (!value || value.trim() !== 'go-sent') throw new Error('expected go-sent, got ' + value);
    await page.waitForSelector('#messages .msg[data-from="grace"][data-text="hi sam"]', T);
    await page.fill('#text', 'hello grace');
    await page.click('#send');
    await page.waitForFunction(() => document.getElementById('text').value === '', null, T);
    console.log('done');
  } finally {
    await browser.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
