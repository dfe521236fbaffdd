// loadPlotly(url): ui/plotly_loader.js, put before this file by ui/figures.py (and
// into the page's <head> by serve.py, so that Plotly.js loads as the page opens).

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
  if (d.figure === null) { Plotly.purge(div); div.__figure = null; return; }
  const config = JSON.stringify(d.config);
  if (d.figure === div.__figure && config === div.__config && div._fullLayout) {
    if (d.image !== div.__image) swapImage(div, d.image, Plotly);
  } else {
    const fig = JSON.parse(d.figure);
    if (d.image !== null) fig.layout.images[0].source = d.image;
    Plotly.react(div, fig.data, fig.layout, d.config);
  }
  div.__figure = d.figure;
  div.__config = config;
  div.__image = d.image;
}

export default function ({ parentElement, data }) {
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
  line.textContent = data.line || '';
  line.style.display = data.line ? '' : 'none';
  div.style.minHeight = data.figure !== null && data.height ? data.height + 'px' : '';
  div.__next = data;  // the newest wins, also over a figure that waited for Plotly to load
  const Plotly = window.__ganLabPlotlyLib;
  if (Plotly) draw(div, Plotly);
  else {  // (once more after a failure: the page's early load may have come too soon)
    loadPlotly(data.url).catch(() => loadPlotly(data.url))
      .then((P) => draw(div, P), (e) => { line.textContent = e.message; });
  }
  return () => {
    const P = window.__ganLabPlotlyLib;
    if (!div.isConnected && P) P.purge(div);
  };
}
