// A student's page in a room: asks the offer route (ui/rooms.py) for the room's newest
// offer id every few seconds and, when it is not the one the page's offer fragment drew
// (``known``), asks that fragment to rerun (a trigger), once per id. The fragment has no
// timer of its own (ui/joining.py). A hidden tab does not ask; a 404 (the room ended) stops.

async function poll(root) {
  if (root.__polling) return;
  root.__polling = true;
  try {
    while (root.isConnected) {
      const d = root.__data;
      if (!document.hidden) {
        try {
          const r = await fetch(d.url, {cache: 'no-store'});
          if (r.status === 404) break;
          const body = r.ok ? await r.json() : null;
          const now = root.__data, ask = now.known + ':' + (body && body.offer);
          if (body && body.offer !== now.known && root.__asked !== ask) {
            root.__asked = ask;
            root.__trigger('changed', body.offer);
          }
        } catch (e) { /* the next round tries again */ }
      }
      await new Promise((r) => setTimeout(r, d.every * 1000));
    }
  } finally { root.__polling = false; }
}

export default function ({ parentElement, data, setTriggerValue }) {
  let root = parentElement.querySelector(':scope > .gan-lab-offer-watch');
  if (!root) {
    root = document.createElement('div');
    root.className = 'gan-lab-offer-watch';
    parentElement.append(root);
  }
  root.__data = data;
  root.__trigger = setTriggerValue;
  poll(root);
}
