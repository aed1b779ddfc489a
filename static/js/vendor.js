/**
 * The vendored libraries (static/vendor/, see its README), imported explicitly from here.
 * d3 and KaTeX are classic scripts loaded by the page; Plotly (4.8 MB) is loaded on first use.
 */

/** @returns {any} the d3 namespace (static/vendor/d3/d3.min.js) */
export function getD3() {
  return window.d3;
}

/** @returns {any} the KaTeX namespace (static/vendor/katex/katex.min.js) */
export function getKatex() {
  return window.katex;
}

let plotlyPromise = null;

/** @returns {Promise<any>} the Plotly namespace, loading static/vendor/plotly on first call */
export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyPromise) {
    plotlyPromise = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/static/vendor/plotly/plotly.min.js';
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error('plotly failed to load'));
      document.head.appendChild(script);
    });
  }
  return plotlyPromise;
}
