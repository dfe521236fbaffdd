// The lecturer's tiles: fetched from the tiles route (ui/rooms.py) every second and drawn
// here. Every text a student typed goes in with textContent, never innerHTML. Each fetch
// names the pictures held (``since``: member:version), and the route leaves those out.

function el(tag, cls, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.append(e);
  return e;
}

function label(t, number) {
  return t.name || ('student ' + number);
}

function lines(t) {
  const out = ['step ' + t.step + ' · ' + (t.state === 'none' ? 'not trained yet' : t.state)];
  if (t.modes !== null && t.modes_total !== null) {
    out.push('modes ' + t.modes + '/' + t.modes_total +
             (t.hq === null ? '' : ' · hq ' + t.hq.toFixed(2)));
  }
  const changed = Object.entries(t.settings || {}).map(([k, v]) => k + '=' + v);
  if (changed.length) out.push(changed.join(', '));
  return out;
}

function fill(box, t, number) {
  box.__name.textContent = label(t, number);
  const text = lines(t);
  box.__lines.textContent = '';
  for (const s of text) el('div', '', box.__lines).textContent = s;
  box.__message.textContent = t.message || '';
  box.__reached.textContent = t.reached === null ? '' : '✓ reached at step ' + t.reached;
  box.classList.toggle('reached', t.reached !== null);
  box.classList.toggle('failed', !!t.message);
  if (t.image && box.__img.getAttribute('src') !== t.image) box.__img.setAttribute('src', t.image);
  box.__img.style.visibility = t.image ? '' : 'hidden';
  box.dataset.member = t.member;
  box.dataset.step = t.step;
  box.dataset.state = t.state;
  box.dataset.modes = t.modes === null ? '' : t.modes;
}

function card(cls) {
  const box = el('div', cls);
  box.__img = el('img', 'gan-lab-tile-img', box);
  box.__img.alt = 'the run\'s points';
  box.__name = el('div', 'gan-lab-tile-name', box);
  box.__lines = el('div', 'gan-lab-tile-lines', box);
  box.__reached = el('div', 'gan-lab-tile-reached', box);
  box.__message = el('div', 'gan-lab-tile-message', box);
  return box;
}

function order(tiles, sort) {
  const number = new Map(tiles.slice().sort((a, b) => a.joined - b.joined)
    .map((t, i) => [t.member, i + 1]));
  const sorted = tiles.slice();
  if (sort === 'modes') {
    sorted.sort((a, b) => (b.modes ?? -1) - (a.modes ?? -1) || a.joined - b.joined);
  } else {
    sorted.sort((a, b) => a.joined - b.joined);
  }
  return [sorted, number];
}

// A tile without its picture (the route left it out: unchanged) keeps the one held.
function held(root, t) {
  if ('image' in t) return t;
  const old = root.__tiles && root.__tiles.get(t.member);
  return Object.assign({}, t, {image: old ? old.image : null});
}

function since(root) {
  const have = [...(root.__tiles || new Map()).values()].filter((t) => t.pic && t.image);
  const names = have.map((t) => t.member + ':' + t.pic).join(',');
  return names ? '?since=' + encodeURIComponent(names) : '';
}

function render(root, body) {
  const d = root.__data;
  const [tiles, number] = order((body.tiles || []).map((t) => held(root, t)), d.sort);
  const seen = new Set();
  for (const t of tiles) {
    let box = root.__boxes.get(t.member);
    if (!box) {
      box = card('gan-lab-tile');
      box.tabIndex = 0;
      box.setAttribute('role', 'button');
      const open = () => { root.__open = box.dataset.member; show(root); };
      box.addEventListener('click', open);
      box.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
      root.__boxes.set(t.member, box);
    }
    fill(box, t, number.get(t.member));
    root.__grid.append(box);  // (in sorted order)
    seen.add(t.member);
  }
  for (const [member, box] of root.__boxes) {
    if (!seen.has(member)) { box.remove(); root.__boxes.delete(member); }
  }
  root.__tiles = new Map(tiles.map((t) => [t.member, t]));
  root.__number = number;
  const c = body.challenge;
  root.__status.textContent = (tiles.length ? tiles.length + ' in the room' : 'No student has joined yet') +
    (c ? ' · challenge: ' + c.text : '');
  show(root);
}

// The projector view: one run large, until closed (its button, or Escape); above the
// page's header.
function show(root) {
  const t = root.__open && root.__tiles && root.__tiles.get(root.__open);
  root.__big.style.display = t ? '' : 'none';
  if (t) fill(root.__big, t, root.__number.get(t.member));
}

async function poll(root) {
  if (root.__polling) return;
  root.__polling = true;
  try {
    while (root.isConnected) {
      const d = root.__data, t0 = performance.now();
      try {
        const headers = {'X-Room-Key': d.key};
        const r = await fetch(d.url + since(root), {headers, cache: 'no-store'});
        const body = await r.json();
        root.dataset.store = r.status === 503 ? 'down' : 'ok';
        if (r.ok) render(root, body);
        else if (r.status === 503) root.__status.textContent = 'The room\'s store cannot be reached; trying again…';
        else root.__status.textContent = body.error || ('error ' + r.status);
      } catch (e) {
        root.__status.textContent = 'The server cannot be reached; trying again…';
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - t0))));
    }
  } finally { root.__polling = false; }
}

export default function ({ parentElement, data }) {
  let root = parentElement.querySelector(':scope > .gan-lab-tiles');
  if (!root) {
    root = el('div', 'gan-lab-tiles', parentElement);
    root.__status = el('p', 'gan-lab-tiles-status', root);
    root.__grid = el('div', 'gan-lab-tiles-grid', root);
    root.__big = card('gan-lab-tile-big');
    root.__big.style.display = 'none';
    const close = el('button', 'gan-lab-tile-close', root.__big);
    close.textContent = 'Close';
    close.addEventListener('click', () => { root.__open = null; show(root); });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && root.__open) { root.__open = null; show(root); }
    });
    root.append(root.__big);
    root.__boxes = new Map();
  }
  root.__data = data;
  poll(root);
}
