// Checks the chat page's layout in headless chromium for browser_test.go
// (TestPageLayout): the badge before login, the favicon, your own name
// marked, a time on every line, a 300-character word that wraps instead of
// widening the page, and a layout that keeps the user list and the input
// on screen at 1280 and at 360 pixels wide. Prints one "ok …" line per
// check; any failure exits non-zero with the reason.
//
// Usage: node layout.js URL ARTIFACT_DIR
const path = require('path');
const { launch } = require(path.join(__dirname, '../../../../internal/testenv/browser.js'));

const [url, dir] = process.argv.slice(2);
const T = { timeout: 30000 };
const room = 'lobby';
const longWord = 'x'.repeat(300);

function fail(msg) {
  throw new Error(msg);
}

async function open(browser, name, width, height, bad) {
  const page = await browser.newPage({ viewport: { width: width, height: height } });
  page.on('pageerror', (e) => console.error(name + ' page error: ' + e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) bad.push(r.status() + ' ' + r.url());
  });
  page.on('requestfailed', (r) => bad.push('failed ' + r.url()));
  await page.goto(url);
  return page;
}

async function login(page, name) {
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.click('#login-btn');
  await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, T);
}

async function say(page, target, text) {
  await page.selectOption('#target', target);
  await page.fill('#text', text);
  await page.click('#send');
  await page.waitForFunction(() => document.getElementById('text').value === '', null, T);
}

// noSideways fails when anything makes the page (or the message list)
// wider than the window.
async function noSideways(page, what) {
  const m = await page.evaluate(() => {
    const d = document.documentElement;
    const ms = document.getElementById('messages');
    return { doc: d.scrollWidth, docClient: d.clientWidth, list: ms.scrollWidth, listClient: ms.clientWidth };
  });
  if (m.doc > m.docClient) fail(what + ': the page scrolls sideways: scrollWidth ' + m.doc + ' > clientWidth ' + m.docClient);
  if (m.list > m.listClient) fail(what + ': the message list scrolls sideways: ' + m.list + ' > ' + m.listClient);
  console.log('ok ' + what + ' no sideways scroll (' + m.doc + ' <= ' + m.docClient + ')');
}

// onScreen fails unless each selector's box lies inside the viewport.
async function onScreen(page, what, selectors) {
  const vp = page.viewportSize();
  for (const sel of selectors) {
    const box = await page.locator(sel).first().boundingBox();
    if (!box) fail(what + ': ' + sel + ' is not displayed');
    const inside = box.x >= 0 && box.y >= 0 && box.width > 0 && box.height > 0 &&
      box.x + box.width <= vp.width + 0.5 && box.y + box.height <= vp.height + 0.5;
    if (!inside) fail(what + ': ' + sel + ' at ' + JSON.stringify(box) + ' is not inside ' + vp.width + 'x' + vp.height);
  }
  console.log('ok ' + what + ' on screen: ' + selectors.join(' '));
}

(async () => {
  const browser = await launch();
  const bad = [];
  try {
    const alice = await open(browser, 'alice', 1280, 720, bad);
    const badge = await alice.textContent('#state');
    if (badge !== 'not connected') fail('the badge before login says "' + badge + '"');
    console.log('ok badge before login: ' + badge);
    const icon = await alice.evaluate(async () => {
      const link = document.querySelector('link[rel="icon"]');
      const out = [];
      for (const u of [link && link.href, '/favicon.ico']) {
        if (!u) continue;
        const r = await fetch(u);
        out.push(r.status + ' ' + r.headers.get('content-type') + ' ' + new URL(u, location.href).pathname);
      }
      return out;
    });
    if (icon.length !== 2 || !icon.every((s) => s.startsWith('200 image/'))) fail('favicon: ' + JSON.stringify(icon));
    console.log('ok favicon: ' + icon.join(', '));

    await login(alice, 'alice');
    const bob = await open(browser, 'bob', 1280, 720, bad);
    await login(bob, 'bob');
    await alice.waitForFunction(() => document.querySelectorAll('#users li').length === 2, null, T);

    const mine = await alice.evaluate(() => {
      const li = document.querySelector('#users li.me');
      return li ? li.textContent + getComputedStyle(li, '::after').content : '';
    });
    if (mine !== 'alice" (you)"') fail('own name in the user list: ' + JSON.stringify(mine));
    console.log('ok own name marked in the user list');

    await say(alice, '*', 'hello bob');
    await say(bob, '*', longWord);
    await say(bob, 'alice', 'a word in private');
    await alice.waitForSelector('#messages .msg[data-text="' + longWord + '"]', T);
    await alice.waitForSelector('#messages .msg[data-text="a word in private"]', T);

    const lines = await alice.evaluate(() => [...document.querySelectorAll('#messages li')].map((li) => ({
      cls: li.className,
      from: li.dataset.from || '',
      time: (li.querySelector('time') || {}).textContent || '',
      iso: (li.querySelector('time') || { dateTime: '' }).dateTime,
    })));
    for (const l of lines) {
      if (!/^\d\d:\d\d$/.test(l.time) || isNaN(Date.parse(l.iso))) fail('a line without a time: ' + JSON.stringify(l));
      const marked = l.cls.split(' ').includes('mine');
      if (l.cls.includes('msg') && marked !== (l.from === 'alice')) fail('own-message mark wrong on ' + JSON.stringify(l));
    }
    if (!lines.some((l) => l.cls.includes('mine'))) fail('no message marked as alice\'s own');
    console.log('ok ' + lines.length + ' lines, each with a time; own messages marked');

    await noSideways(alice, '1280px');
    await onScreen(alice, '1280px', ['#users', '#text', '#send', '#target']);
    await alice.screenshot({ path: path.join(dir, 'chat-1280.png') });

    await alice.setViewportSize({ width: 360, height: 640 });
    await alice.waitForFunction(() => window.innerWidth === 360, null, T);
    await noSideways(alice, '360px');
    await onScreen(alice, '360px', ['#users', '#users li.me', '#text', '#send', '#target', '#state']);
    await alice.screenshot({ path: path.join(dir, 'chat-360.png') });

    if (bad.length) fail('failed requests: ' + bad.join(', '));
    console.log('ok no failed request');
  } finally {
    await browser.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
