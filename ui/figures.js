// loadPlotly(url): ui/plotly_loader.js, put before this file by ui/figures.py (and
// into the page's <head> by serve.py, so that Plotly.js loads as the page opens).
// A live view (``poll``) fetches its run's newest frames itself; the page's fragment
// redraws it when the run's state changes.

// Only the first image changed (the cloud, or G's digits beside the real ones, which
// stay): point Plotly's <image> at the new one. Plotly.relayout would do the same after
// re-validating the whole layout, about 9 ms a frame here.
function swapImage(div, source, Plotly) {
  const found = [...div.querySelectorAll('.imagelayer image')]
    .find((img) => img._imgSrc === div.__image);
  if (!found) {
    return Plotly.relayout(div, {'images[0].source': source});
  }
  found.setAttributeNS('http://www.w3.org/1999/xlink', 'xlink:href', source);
  found._imgSrc = source;  // what Plotly compares against when it next redraws images
  div.layout.images[0].source = source;
  div._fullLayout.images[0].source = source;
}

function draw(div, Plotly) {
  const d = div.__next;
  if (!d || d === div.__drawn) return;
  div.__drawn = d;
  if (d.figure === null) { Plotly.purge(div); div.__fig = null; return; }
  const config = JSON.stringify(d.config);
  if (d.fig === div.__fig && config === div.__config && div._fullLayout) {
    if (d.image !== div.__image) swapImage(div, d.image, Plotly);
  } else {
    const fig = d.figure;
    if (d.image !== null) fig.layout.images[0].source = d.image;
    Plotly.react(div, fig.data, fig.layout, d.config);
  }
  div.__fig = d.fig;
  div.__config = config;
  div.__image = d.image;
}

// A training run's newer frames, fetched from the frame route (ui/frames.py) at the
// page's pace: the newest step wins, whichever way it came. Stops when the page drops the figure or
// the route says the run is gone (404); the fragment's next data starts it again. When
// the run's state is not the one the page drew, it asks the page to redraw (a trigger:
// the fragment reruns), so the fragment need not rerun on a timer to notice.
function newest(div, d) {
  const b = div.__best;
  if (!d.poll || !b || b.poll !== d.poll || b.step <= d.step) return d;
  return Object.assign({}, d, {figure: b.figure, fig: b.fig, image: b.image, line: b.line, step: b.step});
}

function show(div, d) {
  div.__line.textContent = d.line || '';
  div.__line.style.display = d.line ? '' : 'none';
  div.__next = d;
  const Plotly = window.__ganLabPlotlyLib;
  if (Plotly) draw(div, Plotly);
}

async function poll(div) {
  if (div.__polling) return;
  div.__polling = true;
  try {
    while (div.isConnected && div.__data && div.__data.poll) {
      const d = div.__data, t0 = performance.now();
      try {
        const known = div.__known && div.__known.poll === d.poll ? div.__known : null;
        const r = await fetch(d.poll + '?fig=' + (known ? known.fig : d.fig), {cache: 'no-store'});
        const f = r.ok ? await r.json() : null;
        const now = div.__data, b = div.__best && div.__best.poll === now.poll ? div.__best : null;
        // the run's state moved on (it ended, left the queue, resumed): the page redraws
        const state = r.status === 404 ? 'gone' : f && f.state;
        if (state && now.poll === d.poll && state !== now.state && div.__asked !== d.poll + state) {
          div.__asked = d.poll + state;
          div.__trigger('changed', state);
        }
        if (r.status === 404) break;
        if (f && f.figure) div.__known = {poll: d.poll, fig: f.fig, figure: JSON.parse(f.figure)};
        if (f && f.fig && now.poll === d.poll && f.step > Math.max(now.step, b ? b.step : -1)) {
          const k = div.__known && div.__known.fig === f.fig ? div.__known : now;
          div.__best = {poll: now.poll, step: f.step, image: f.image, line: f.line, figure: k.figure, fig: k.fig};
          show(div, newest(div, now));
        }
      } catch (e) { /* the next round tries again */ }
      await new Promise((r) => setTimeout(r, Math.max(0, d.every * 1000 - (performance.now() - t0))));
    }
  } finally { div.__polling = false; }
}

// The data comes as bytes: JSON with the figure inline (ui/figures.py), parsed once.
function decode(data) {
  const raw = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  return raw instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(raw)) : raw;
}

export default function ({ parentElement, data: bytes, setTriggerValue }) {
  const data = decode(bytes);
  let div = parentElement.querySelector(':scope > .gan-lab-figure');
  if (!div) {
    div = document.createElement('div');
    div.className = 'gan-lab-figure';
    div.__line = document.createElement('p');
    div.__line.className = 'gan-lab-line';
    div.__line.style.margin = '0 0 0.5rem 0';
    parentElement.append(div.__line, div);
  }
  const line = div.__line;
  div.style.minHeight = data.figure !== null && data.height ? data.height + 'px' : '';
  div.__data = data;
  div.__trigger = setTriggerValue;
  // the newest wins, also over a figure that waited for Plotly to load
  show(div, newest(div, data));
  if (data.poll) poll(div);
  const Plotly = window.__ganLabPlotlyLib;
  if (!Plotly) {  // (once more after a failure: the page's early load may have come too soon)
    loadPlotly(data.url).catch(() => loadPlotly(data.url))
      .then((P) => draw(div, P), (e) => { line.textContent = e.message; });
  }
  return () => {
    const P = window.__ganLabPlotlyLib;
    if (!div.isConnected && P) P.purge(div);
  };
}
