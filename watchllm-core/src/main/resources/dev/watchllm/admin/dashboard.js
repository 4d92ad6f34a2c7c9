// WatchLLM admin dashboard: one static page over the admin API. No framework, no build step, no
// external resource (the page's Content-Security-Policy allows this file and dashboard.css only).
// The admin key is kept in this closure's memory and sent only in the Authorization header.
'use strict';
(function () {
  const API = 'api'; // relative to the page: <admin prefix>/api
  const SVG = 'http://www.w3.org/2000/svg';
  let adminKey = null;
  let bucket = 'hour';
  let loading = 0;

  const $ = (id) => document.getElementById(id);

  /** An element with attributes (class, data-*, ...) and children (nodes or text). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }

  // ---- formatting: what the table and charts show ----

  function count(n) {
    return Number(n).toLocaleString('en-US');
  }

  function percent(rate) {
    return (Number(rate) * 100).toFixed(1) + '%';
  }

  /** USD: two decimals from $1 up; below, up to six (costs of single requests are fractions of a cent). */
  function usd(v) {
    const n = Number(v);
    if (n === 0) return '$0';
    if (Math.abs(n) >= 1) return '$' + n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    let s = n.toFixed(6).replace(/0+$/, '');
    if (s.length - s.indexOf('.') - 1 < 2) s = n.toFixed(2);
    return '$' + s;
  }

  function when(iso) {
    return iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : 'never';
  }

  // ---- state shown on the page ----

  function setState(s) {
    document.body.dataset.state = s;
  }

  function message(text) {
    const m = $('message');
    m.textContent = text || '';
    m.hidden = !text;
  }

  function showLogin(text) {
    adminKey = null;
    $('overview').hidden = true;
    $('refresh').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    $('period').textContent = '';
    message(text);
    setState('login');
    $('admin-key').focus();
  }

  class ApiError extends Error {
    constructor(status, text) {
      super(text);
      this.status = status;
    }
  }

  /** Calls the admin API; rejects with an ApiError carrying the OpenAI-shaped error's message. */
  async function call(method, path, body) {
    const headers = { Authorization: 'Bearer ' + adminKey };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer'
    });
    const json = await r.json().catch(() => null);
    if (!r.ok) {
      const text = json && json.error && json.error.message ? json.error.message : 'HTTP ' + r.status;
      throw new ApiError(r.status, text);
    }
    return json;
  }

  /** Runs an API action; a refused key sends the user back to sign in, other errors show on the page. */
  async function guarded(action) {
    loading++;
    setState('loading');
    try {
      await action();
      if (--loading === 0) setState('ready');
    } catch (e) {
      loading--;
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        showLogin(e.message);
      } else {
        message(e.message || String(e));
        setState('error');
      }
    }
  }

  // ---- projects table and cards ----

  async function loadAll() {
    const list = await call('GET', '/projects');
    $('login').hidden = true;
    $('overview').hidden = false;
    $('refresh').hidden = false;
    $('logout').hidden = false;
    message('');
    $('period').textContent = 'Month so far: ' + list.period + ' (UTC)';
    renderTable(list.data);
    const cards = $('cards');
    cards.replaceChildren(...list.data.map(card));
    await Promise.all(list.data.map((p) => Promise.all([loadUsage(p.id), loadKeys(p.id)])));
  }

  function cell(field, text, cls, title) {
    return el('td', { 'data-field': field, class: cls || null, title: title || null }, text);
  }

  function renderTable(projects) {
    const rows = projects.map((p) => {
      const budget = p.budgetUsd === null
        ? cell('budgetLeft', '—', 'num', 'no monthly budget')
        : cell('budgetLeft', usd(p.budgetLeftUsd) + ' of ' + usd(p.budgetUsd), 'num', 'spent ' + usd(p.budgetSpentUsd));
      return el('tr', { 'data-project': p.id },
        cell('id', p.id), cell('plan', p.plan),
        cell('requests', count(p.requests), 'num'), cell('cacheHits', count(p.cacheHits), 'num'),
        cell('hitRate', percent(p.cacheHitRate), 'num'),
        cell('cost', usd(p.costUsd), 'num', 'what the providers would have billed: ' + usd(p.potentialCostUsd)),
        cell('savings', usd(p.savingsUsd), 'num'), budget, cell('keys', count(p.keyCount), 'num'));
    });
    $('projects').tBodies[0].replaceChildren(...rows);
  }

  function card(p) {
    const env = el('input', { name: 'env', value: 'dev', pattern: '[a-z]{1,16}', maxlength: '16', 'aria-label': 'Environment', required: '' });
    const form = el('form', { class: 'mint' }, el('label', {}, 'New key for env '), env, el('button', { type: 'submit' }, 'Mint key'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      guarded(() => mint(p.id, env.value.trim()));
    });
    return el('article', { class: 'card', 'data-project': p.id },
      el('h2', {}, p.id, el('span', { class: 'plan' }, p.plan + ' plan')),
      el('div', { class: 'chart' }),
      el('div', { class: 'legend' },
        el('span', {}, el('i', { class: 'requests' }), 'Requests'),
        el('span', {}, el('i', { class: 'hits' }), 'Cache hits'),
        el('span', {}, el('i', { class: 'cost' }), 'Cost (right axis)')),
      el('p', { class: 'summary' }),
      el('h3', {}, 'Keys'),
      el('table', { class: 'keys' },
        el('thead', {}, el('tr', {}, ...['ID', 'Key', 'Source', 'Created', 'Last used', 'Status', ''].map((h) => el('th', {}, h)))),
        el('tbody')),
      form,
      el('div', { class: 'new-key', hidden: '' }));
  }

  function cardOf(projectId) {
    for (const c of document.querySelectorAll('#cards .card')) {
      if (c.dataset.project === projectId) return c;
    }
    return null;
  }

  // ---- usage chart ----

  async function loadUsage(projectId) {
    const series = await call('GET', '/projects/' + encodeURIComponent(projectId) + '/usage?bucket=' + bucket);
    const c = cardOf(projectId);
    if (!c) return;
    c.querySelector('.chart').replaceChildren(chart(series));
    let requests = 0, hits = 0, cost = 0;
    for (const b of series.data) {
      requests += b.requests;
      hits += b.cacheHits;
      cost += Number(b.costUsd);
    }
    const span = bucket === 'hour' ? 'in the last 24 hours' : 'in the last 30 days';
    c.querySelector('.summary').textContent = count(requests) + ' requests · ' + count(hits) + ' cache hits ('
      + percent(requests === 0 ? 0 : hits / requests) + ') · ' + usd(cost.toFixed(6)) + ' cost ' + span;
  }

  function label(iso) {
    return bucket === 'hour' ? iso.slice(11, 16) : iso.slice(5, 10);
  }

  /** Bars for requests and hits (left axis), a line for cost (right axis), one slot per bucket. */
  function chart(series) {
    const W = 760, H = 200, L = 44, R = 70, T = 12, B = 26;
    const pw = W - L - R, ph = H - T - B;
    const data = series.data;
    const n = Math.max(1, data.length);
    const maxReq = Math.max(1, ...data.map((d) => d.requests));
    const costs = data.map((d) => Number(d.costUsd));
    const maxCost = Math.max(...costs, 0);
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'Requests, cache hits and cost of ' + series.project });
    for (let i = 0; i <= 4; i++) {
      const y = T + ph - (ph * i) / 4;
      s.append(svg('line', { class: 'grid', x1: L, x2: L + pw, y1: y, y2: y }));
    }
    const axis = (x, y, text, anchor) => {
      const t = svg('text', { class: 'axis', x, y, 'text-anchor': anchor });
      t.textContent = text;
      s.append(t);
    };
    axis(L - 6, T + 4, count(maxReq), 'end');
    axis(L - 6, T + ph + 4, '0', 'end');
    axis(L + pw + 6, T + 4, usd(maxCost.toFixed(6)), 'start');
    axis(L + pw + 6, T + ph + 4, '$0', 'start');
    const slot = pw / n;
    const points = [];
    data.forEach((d, i) => {
      const x = L + i * slot;
      const hReq = (ph * d.requests) / maxReq;
      const hHit = (ph * d.cacheHits) / maxReq;
      const bar = svg('rect', {
        class: 'bar-requests', x: x + slot * 0.1, y: T + ph - hReq, width: slot * 0.8, height: hReq,
        'data-start': d.start, 'data-requests': d.requests, 'data-hits': d.cacheHits, 'data-cost': d.costUsd
      });
      const title = svg('title');
      title.textContent = label(d.start) + ': ' + count(d.requests) + ' requests, ' + count(d.cacheHits) + ' hits, ' + usd(d.costUsd);
      bar.append(title);
      s.append(bar);
      if (d.cacheHits > 0) {
        s.append(svg('rect', { class: 'bar-hits', x: x + slot * 0.25, y: T + ph - hHit, width: slot * 0.5, height: hHit }));
      }
      const cy = maxCost === 0 ? T + ph : T + ph - (ph * costs[i]) / maxCost;
      points.push((x + slot / 2).toFixed(1) + ',' + cy.toFixed(1));
    });
    s.append(svg('polyline', { class: 'line-cost', points: points.join(' ') }));
    data.forEach((d, i) => {
      if (costs[i] > 0) {
        const [cx, cy] = points[i].split(',');
        s.append(svg('circle', { class: 'dot-cost', cx, cy, r: 2.5 }));
      }
    });
    const every = Math.max(1, Math.ceil(n / 8));
    data.forEach((d, i) => {
      if (i % every === 0 || i === n - 1) axis(L + i * slot + slot / 2, H - 8, label(d.start), 'middle');
    });
    return s;
  }

  // ---- keys ----

  async function loadKeys(projectId) {
    const list = await call('GET', '/projects/' + encodeURIComponent(projectId) + '/keys');
    const c = cardOf(projectId);
    if (!c) return;
    c.querySelector('table.keys tbody').replaceChildren(...list.data.map(keyRow));
  }

  function keyRow(k) {
    const action = el('td', { class: 'action' });
    if (!k.revoked) {
      const b = el('button', { type: 'button', class: 'danger', 'data-key': k.id }, 'Revoke');
      b.addEventListener('click', () => {
        if (b.dataset.armed !== 'true') { // a second click confirms: no modal dialog
          b.dataset.armed = 'true';
          b.className = 'confirm';
          b.textContent = 'Confirm revoke';
          return;
        }
        guarded(() => revoke(k));
      });
      action.append(b);
    }
    return el('tr', { 'data-key': k.id, class: k.revoked ? 'revoked' : null },
      el('td', {}, k.id), el('td', {}, el('code', {}, k.masked)), el('td', {}, k.source),
      el('td', {}, k.createdAt ? when(k.createdAt) : 'config file'), el('td', { class: 'last-used' }, when(k.lastUsedAt)),
      el('td', { class: 'status' }, k.revoked ? 'revoked' : 'active'), action);
  }

  async function mint(projectId, env) {
    const k = await call('POST', '/projects/' + encodeURIComponent(projectId) + '/keys', { env });
    const c = cardOf(projectId);
    const box = c.querySelector('.new-key');
    box.replaceChildren('New key ', el('strong', {}, k.id), ' (shown this once; copy it now): ', el('code', { class: 'new-key-value' }, k.key));
    box.hidden = false;
    await Promise.all([loadKeys(projectId), refreshTable()]);
  }

  async function revoke(k) {
    await call('DELETE', '/keys/' + encodeURIComponent(k.id));
    await Promise.all([loadKeys(k.project), refreshTable()]);
  }

  async function refreshTable() {
    const list = await call('GET', '/projects');
    renderTable(list.data);
  }

  // ---- start ----

  function start() {
    $('fragment-example').textContent = location.pathname + '#key=lgwa_…';
    $('login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      adminKey = $('admin-key').value.trim();
      $('admin-key').value = '';
      guarded(loadAll);
    });
    $('logout').addEventListener('click', () => showLogin(''));
    $('refresh').addEventListener('click', () => guarded(loadAll));
    for (const b of document.querySelectorAll('#range button')) {
      b.addEventListener('click', () => {
        bucket = b.dataset.bucket;
        for (const o of document.querySelectorAll('#range button')) o.setAttribute('aria-pressed', String(o === b));
        guarded(() => Promise.all(Array.from(document.querySelectorAll('#cards .card')).map((c) => loadUsage(c.dataset.project))));
      });
    }
    // #key=... : read once, then dropped from the address bar and history
    const m = /^#key=([^&]+)/.exec(location.hash);
    if (m) {
      adminKey = decodeURIComponent(m[1]);
      history.replaceState(null, '', location.pathname + location.search);
      guarded(loadAll);
    } else {
      showLogin('');
    }
  }

  start();
})();
