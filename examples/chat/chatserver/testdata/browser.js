// Drives the chat page in headless chromium for browser_test.go: two pages
// (alice and eve) join room r1 and chat with a Go client (grace) that the
// test runs. The test and this script take turns over stdin/stdout:
//
//   script: ready      both pages are in r1 and see each other
//   test:   joined     grace is in r1
//   script: sent       alice said hello to the room, eve whispered to grace
//   test:   go-sent    grace said "hi pages" to the room
//   script: seen       both pages show it, and each other's messages
//   test:   restarted  alice's connector was restarted
//   script: done       alice's page reconnected by itself and chats again
//
// Usage: node browser.js URL SCREENSHOT
const path = require('path');
const readline = require('readline');
const { launch } = require(path.join(__dirname, '../../../../internal/testenv/browser.js'));

const [url, shot] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const T = { timeout: 30000 };

async function expectLine(want) {
  const { value, done } = await lines.next();
  if (done || value.trim() !== want) throw new Error('expected "' + want + '" from the test, got ' + (done ? 'EOF' : '"' + value + '"'));
}

async function login(browser, name) {
  const page = await browser.newPage({ viewport: { width: 960, height: 600 } });
  page.on('console', (m) => console.error(name + ' console: ' + m.text()));
  page.on('pageerror', (e) => console.error(name + ' page error: ' + e.message));
  await page.goto(url);
  await page.fill('#name', name);
  await page.fill('#room', 'r1');
  await page.click('#login-btn');
  await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, T);
  return page;
}

function hasUsers(page, names) {
  return page.waitForFunction((names) => {
    const shown = [...document.querySelectorAll('#users li')].map((li) => li.textContent);
    return names.every((n) => shown.includes(n));
  }, names, T);
}

function hasMessage(page, from, target, text) {
  return page.waitForSelector(`#messages .msg[data-from="${from}"][data-target="${target}"][data-text="${text}"]`, T);
}

async function say(page, target, text) {
  await page.selectOption('#target', target);
  await page.fill('#text', text);
  await page.click('#send');
  await page.waitForFunction(() => document.getElementById('text').value === '', null, T);
}

(async () => {
  const browser = await launch();
  try {
    const alice = await login(browser, 'alice');
    const eve = await login(browser, 'eve');
    await hasUsers(alice, ['alice', 'eve']);
    await hasUsers(eve, ['alice', 'eve']);
    console.log('ready');

    await expectLine('joined');
    await hasUsers(alice, ['alice', 'eve', 'grace']);
    await hasUsers(eve, ['alice', 'eve', 'grace']);
    await say(alice, '*', 'hello from alice');
    await say(eve, 'grace', 'psst grace');
    // alice's broadcast comes back to her too; eve's whisper is shown as sent.
    await hasMessage(alice, 'alice', '*', 'hello from alice');
    await hasMessage(eve, 'alice', '*', 'hello from alice');
    await hasMessage(eve, 'eve', 'grace', 'psst grace');
    console.log('sent');

    await expectLine('go-sent');
    await hasMessage(alice, 'grace', '*', 'hi pages');
    await hasMessage(eve, 'grace', '*', 'hi pages');
    if (await alice.$('#messages .msg[data-text="psst grace"]')) throw new Error("alice saw eve's private message");
    console.log('seen');

    await expectLine('restarted');
    // alice's page noticed, and joined again through the gate.
    await alice.waitForSelector('#messages .system:has-text("connection lost")', T);
    await alice.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, T);
    await hasUsers(alice, ['alice', 'eve', 'grace']);
    await hasMessage(eve, 'alice', '*', 'hello from alice');
    await say(alice, '*', 'back again');
    await hasMessage(eve, 'alice', '*', 'back again');
    await say(eve, 'alice', 'welcome back');
    await hasMessage(alice, 'eve', 'alice', 'welcome back');
    await alice.screenshot({ path: shot });
    await eve.screenshot({ path: shot.replace(/\.png$/, '-eve.png') });
    console.log('done');
  } finally {
    await browser.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
