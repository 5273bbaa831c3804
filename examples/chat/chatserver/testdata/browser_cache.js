// Loads the chat page three times in one browser context (one
// localStorage) for browser_cache_test.go, and reports every pomelo
// handshake the page's WebSockets carried:
//
//   load 1  a fresh page: the replies carry protos (gate, connector) and
//           the dictionary (connector); pomelo.js keeps them
//   load 2  the page again: it announces the versions, the replies leave
//           both out, and chatting works on what was kept
//   load 3  localStorage holds a stale dictionary: the connector sends
//           the real one again, protos stay out
//
// Each load logs in, says something and waits to see it, then prints one
// JSON line: {"load":N,"handshakes":[{"url","hello","reply","replyBytes"}]}.
//
// Usage: node browser_cache.js URL
const path = require('path');
const { launch } = require(path.join(__dirname, '../../../../internal/testenv/browser.js'));

const [url] = process.argv.slice(2);
const T = { timeout: 30000 };

// watch records the handshake packages (type 1) each WebSocket of page
// sent and received.
function watch(page) {
  const seen = [];
  page.on('websocket', (ws) => {
    const hs = { url: ws.url(), hello: null, reply: null, replyBytes: 0 };
    seen.push(hs);
    const body = (payload) => Buffer.from(payload).subarray(4).toString('utf8');
    ws.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string' && payload[0] === 1 && !hs.hello) hs.hello = JSON.parse(body(payload));
    });
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' && payload[0] === 1 && !hs.reply) {
        hs.replyBytes = payload.length;
        hs.reply = JSON.parse(body(payload));
      }
    });
  });
  return seen;
}

async function load(context, n, name, before) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('load ' + n + ' page error: ' + e.message));
  const seen = watch(page);
  await page.goto(url);
  if (before) await page.evaluate(before);
  await page.fill('#name', name);
  await page.fill('#room', 'cache');
  await page.click('#login-btn');
  await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, T);
  const text = 'load ' + n + ' says hi';
  await page.fill('#text', text);
  await page.click('#send');
  await page.waitForSelector(`#messages .msg[data-from="${name}"][data-text="${text}"]`, T);
  console.log(JSON.stringify({ load: n, handshakes: seen }));
  await page.close();
}

(async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    await load(context, 1, 'ann');
    await load(context, 2, 'bea');
    await load(context, 3, 'cid', () => {
      localStorage.setItem('pomelo.dict', JSON.stringify({ version: 'stale', dict: { 'connector.entryHandler.enter': 9 } }));
    });
  } finally {
    await browser.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
