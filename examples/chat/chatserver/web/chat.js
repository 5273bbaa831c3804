// chat.js — the chat page: chatofpomelo's flow on pomelo.js. Ask the gate
// which connector serves this name (gate.gateHandler.queryEntry), enter
// the room there (connector.entryHandler.enter), then chat
// (chat.chatHandler.send) and follow onAdd, onLeave and onChat. When the
// connection drops, run the same flow again with backoff until it works.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  let conf = null;
  let me = '';
  let room = '';
  let client = null;
  let users = [];
  let retry = 0;
  let joins = 0;

  // The badge: its words for each state (the class is the key).
  const stateWords = {
    idle: 'not connected',
    connecting: 'connecting',
    connected: 'connected',
    reconnecting: 'reconnecting',
    failed: 'not connected',
  };

  function setState(state, detail) {
    const el = $('state');
    el.textContent = stateWords[state];
    el.className = 'state ' + state;
    el.title = detail || '';
  }

  function wsURL(host, port) {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + host + ':' + port + '/';
  }

  async function loadConfig() {
    const r = await fetch('config.json');
    conf = await r.json();
    if (!conf.gate.host) conf.gate.host = location.hostname;
  }

  // queryEntry asks the gate for this user's connector and hangs up, as
  // chatofpomelo's client does.
  async function queryEntry(uid) {
    const gate = new Pomelo();
    await gate.connect(wsURL(conf.gate.host, conf.gate.port));
    try {
      const r = await gate.request('gate.gateHandler.queryEntry', { uid: uid });
      if (r.code !== 200) throw new Error('gate answered code ' + r.code);
      return r;
    } finally {
      gate.disconnect();
    }
  }

  async function join() {
    setState(retry ? 'reconnecting' : 'connecting');
    const entry = await queryEntry(me);
    const c = new Pomelo();
    c.on('onAdd', (m) => addUser(m.user));
    c.on('onLeave', (m) => removeUser(m.user));
    c.on('onChat', (m) => showChat(m.from, m.target, m.msg));
    await c.connect(wsURL(entry.host, entry.port));
    const r = await c.request('connector.entryHandler.enter', { username: me, rid: room });
    if (r.error || r.code) {
      c.disconnect();
      const err = new Error(r.error === true ? 'the name ' + me + ' is taken in room ' + room : String(r.error));
      err.taken = true;
      throw err;
    }
    c.onclose = lost;
    if (c.closed) throw new Error('connection closed while entering');
    client = c;
    retry = 0;
    setUsers(r.users || []);
    $('connector').textContent = entry.host + ':' + entry.port;
    if (joins++ > 0) system('back in ' + room + ' on ' + entry.host + ':' + entry.port);
    setState('connected');
  }

  function lost(reason) {
    client = null;
    setState('reconnecting', reason);
    system('connection lost (' + reason + '), reconnecting…');
    schedule();
  }

  function schedule() {
    const delay = Math.min(5000, 200 * Math.pow(2, retry++));
    setTimeout(() => {
      join().catch((err) => {
        setState('reconnecting', err.message);
        schedule();
      });
    }, delay);
  }

  function setUsers(list) {
    users = [];
    for (const u of list) if (!users.includes(u)) users.push(u);
    renderUsers();
  }

  function addUser(u) {
    if (!users.includes(u)) users.push(u);
    renderUsers();
    system(u + ' joined');
  }

  function removeUser(u) {
    users = users.filter((x) => x !== u);
    renderUsers();
    system(u + ' left');
  }

  function renderUsers() {
    const ul = $('users');
    ul.textContent = '';
    const sel = $('target');
    const chosen = sel.value;
    sel.textContent = '';
    sel.add(new Option('everyone', '*'));
    for (const u of users) {
      const li = document.createElement('li');
      li.textContent = u;
      if (u === me) {
        li.className = 'me';
        li.title = 'you';
      }
      ul.appendChild(li);
      if (u !== me) sel.add(new Option(u, u));
    }
    sel.value = [...sel.options].some((o) => o.value === chosen) ? chosen : '*';
  }

  // stamp puts the time of arrival (hh:mm) in front of a line.
  function stamp(li) {
    const now = new Date();
    const t = document.createElement('time');
    t.dateTime = now.toISOString();
    t.textContent = String(now.getHours()).padStart(2, '0') + ':' + String(now.getMinutes()).padStart(2, '0');
    li.appendChild(t);
  }

  function addLine(li) {
    const ol = $('messages');
    ol.appendChild(li);
    ol.scrollTop = ol.scrollHeight;
  }

  function showChat(from, target, msg) {
    const li = document.createElement('li');
    li.className = 'msg' + (target === '*' ? '' : ' private') + (from === me ? ' mine' : '');
    li.dataset.from = from;
    li.dataset.target = target;
    li.dataset.text = msg;
    stamp(li);
    const who = document.createElement('span');
    who.className = 'from';
    who.textContent = target === '*' ? from : from + ' → ' + target;
    li.appendChild(who);
    li.appendChild(document.createTextNode(': ' + msg));
    addLine(li);
  }

  function system(text) {
    const li = document.createElement('li');
    li.className = 'system';
    stamp(li);
    li.appendChild(document.createTextNode(text));
    addLine(li);
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    me = $('name').value.trim();
    room = $('room').value.trim();
    $('login-error').textContent = '';
    if (!me || !room) return;
    $('login-btn').disabled = true;
    try {
      if (!conf) await loadConfig();
      await join();
      $('login').hidden = true;
      $('chat').hidden = false;
      $('me').textContent = me;
      $('room-name').textContent = room;
      $('text').focus();
    } catch (err) {
      setState('failed', err.message);
      $('login-error').textContent = err.message;
    } finally {
      $('login-btn').disabled = false;
    }
  });

  $('send-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = $('text').value.trim();
    const target = $('target').value;
    if (!text || !client) return;
    try {
      const r = await client.request('chat.chatHandler.send', { rid: room, content: text, from: me, target: target });
      if (r.code) throw new Error(String(r.error || 'code ' + r.code));
      $('text').value = '';
      // A private message goes to its target only: show our own copy.
      if (target !== '*') showChat(me, target, text);
    } catch (err) {
      system('not sent: ' + err.message);
    }
  });
})();
