// The page's live figures all use one Plotly: the installed plotly package's (the version
// that builds the figures), loaded once. Not whatever window.Plotly holds: Streamlit's own
// chart bundle sets it too, to its version, whenever the page has an st.plotly_chart.
function loadPlotly(url) {
  if (!window.__ganLabPlotly) {
    window.__ganLabPlotly = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url;
      s.onload = () => {
        window.__ganLabPlotlyLib = window.Plotly;
        resolve(window.Plotly);
      };
      s.onerror = () => {
        window.__ganLabPlotly = null;
        reject(new Error('could not load ' + url));
      };
      document.head.appendChild(s);
    });
  }
  return window.__ganLabPlotly;
}
