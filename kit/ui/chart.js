// The kit's plotly figures, one ES module for anywidget (kit/ui/chart.py): the projector's and
// the office's charts (``kind`` "chart") and the 支え合いマップ (``kind`` "map", kit/ui/map_figure.py).
//
// They draw with plotly.js loaded as a static file of the kit's server (cached by the browser
// for a year), so no plotly extension is loaded with the page and plotly never travels through
// the websocket; outside the kit's server (plain Voila, JupyterLab) it comes from the kernel,
// once per page. The kernel sends the figure as JSON (the map: its background image only when
// it changes); the map sends back clicks only (trace number, point number, x, y). Every rule
// is checked in the kernel.
//
// A chart is a box with the plot inside (``.tk-board-chart .js-plotly-plot``); the map is the
// plot itself (``.tk-map-figure.js-plotly-plot``). Until a figure is drawn, its loading text
// (「地図を読み込み中…」) is shown in its place. A chart first loads plotly.js once it is in the
// page and the browser is idle (the page's controls come first); the map loads it at once.

const SHARED = "__tkPlotly";
const CHART_HEIGHT = 360; // a chart's height when its layout names none (as plotly's renderer)

function baseUrl() {
  try {
    const node = document.getElementById("jupyter-config-data");
    const url = node && JSON.parse(node.textContent).baseUrl;
    if (url) return url.endsWith("/") ? url : url + "/";
  } catch (e) {
    // no page config: the server's root
  }
  return "/";
}

function addScript(src) {
  return new Promise((resolve, reject) => {
    if (window.Plotly) return resolve(window.Plotly);
    const script = document.createElement("script");
    // plotly.js is a UMD bundle: with an AMD loader on the page it would not set window.Plotly.
    const amd = window.define;
    window.define = undefined;
    const done = () => {
      if (amd !== undefined) window.define = amd;
    };
    script.async = true;
    script.src = src;
    script.onload = () => {
      done();
      window.Plotly ? resolve(window.Plotly) : reject(new Error("plotly.js did not load"));
    };
    script.onerror = () => {
      done();
      script.remove();
      reject(new Error("plotly.js not found at " + src));
    };
    document.head.appendChild(script);
  });
}

function idle() {
  return new Promise((resolve) => {
    if (window.requestIdleCallback) window.requestIdleCallback(resolve, { timeout: 1500 });
    else setTimeout(resolve, 200);
  });
}

// One plotly.js per page: the server's cached file, else (plain Voila, JupyterLab) from the kernel.
// ``whenIdle``: a page that has none yet starts loading it once the browser is idle.
function loadPlotly(model, whenIdle) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (window[SHARED]) return window[SHARED];
  const fromKernel = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no plotly.js from the kernel")), 120000);
      model.on("msg:custom", (content, buffers) => {
        if (!content || content.event !== "plotly" || !buffers || !buffers.length) return;
        clearTimeout(timer);
        const url = URL.createObjectURL(new Blob([buffers[0]], { type: "text/javascript" }));
        addScript(url).then(resolve, reject);
      });
      model.send({ event: "plotly" });
    });
  const url = model.get("plotly_url");
  const loading = (whenIdle ? idle() : Promise.resolve())
    .then(() => (url ? addScript(baseUrl() + url) : Promise.reject(new Error("no url"))))
    .catch(fromKernel)
    .catch((error) => {
      window[SHARED] = null; // the next view may try again
      throw error;
    });
  window[SHARED] = loading;
  return loading;
}

// The map's invisible click layer comes without its grid of zeros: made here from its x and y.
function expand(trace) {
  if (trace.meta !== "click" || trace.z) return trace;
  const row = new Array((trace.x || []).length).fill(0);
  return { ...trace, z: (trace.y || []).map(() => row) };
}

// Until the view is in the page, at most a second: a box appends a child's element once the
// child is made, a few promises later; a ResizeObserver sees it laid out before it is painted.
function attached(el) {
  if (el.isConnected) return Promise.resolve();
  return new Promise((resolve) => {
    const started = performance.now();
    const finish = () => {
      observer.disconnect();
      clearInterval(timer);
      resolve();
    };
    const observer = new ResizeObserver(() => el.isConnected && finish());
    const timer = setInterval(() => {
      if (el.isConnected || performance.now() - started > 1000) finish();
    }, 16);
    observer.observe(el);
    (async () => {
      for (let turn = 0; turn < 50 && !el.isConnected; turn++) await Promise.resolve();
      if (el.isConnected) finish();
    })();
  });
}

function render({ model, el }) {
  const isMap = model.get("kind") === "map";
  const status = document.createElement("div");
  status.className = isMap ? "tk-map-loading" : "tk-chart-loading";
  status.setAttribute("role", "status");
  el.appendChild(status);
  let plot = el;
  if (!isMap) {
    plot = el.appendChild(document.createElement("div")); // plotly's .js-plotly-plot
  }
  let Plotly = null;
  let drawn = false;
  let listening = false;
  let queue = Promise.resolve();
  let closed = false;

  const showStatus = (text, failed) => {
    status.textContent = text;
    status.classList.toggle("tk-error", Boolean(failed));
    status.style.display = text ? "" : "none";
  };

  const clear = () => {
    if (Plotly && drawn) Plotly.purge(plot);
    plot.querySelectorAll(".plot-container, .svg-container").forEach((node) => node.remove());
    plot.classList.remove("js-plotly-plot");
    drawn = false;
    showStatus(isMap ? model.get("loading_text") : "", false);
  };

  const clicked = (event) => {
    const points = (event && event.points ? event.points : []).slice(0, 10).map((p) => ({
      trace: p.curveNumber,
      index: Array.isArray(p.pointNumber) ? 0 : p.pointNumber,
      x: p.x,
      y: p.y,
    }));
    if (points.length) model.send({ event: "click", points });
  };

  const drawNow = async () => {
    if (closed) return;
    const figure = model.get("figure") || {};
    if (!figure.data) return clear(); // {}: nothing to show (a figure of no traces is drawn)
    if (!drawn) showStatus(model.get("loading_text"), false);
    // A chart's first plotly.js waits for the page: the chart in it, then the browser idle.
    await attached(el);
    try {
      Plotly = await loadPlotly(model, !isMap);
    } catch (error) {
      showStatus(model.get("failed_text"), true);
      return;
    }
    if (closed) return;
    const latest = model.get("figure") || {};
    if (latest !== figure) return; // a newer figure is queued behind this one
    const layout = { ...(figure.layout || {}) };
    if (isMap) {
      layout.images = model.get("images") || [];
      layout.autosize = true;
    } else if (!layout.height) {
      layout.height = CHART_HEIGHT;
    }
    await Plotly.react(plot, figure.data.map(expand), layout, model.get("config") || {});
    drawn = true;
    status.style.display = "none";
    if (isMap && !listening) {
      plot.on("plotly_click", clicked);
      listening = true;
    }
  };

  const draw = () => {
    queue = queue.then(drawNow, drawNow);
    return queue;
  };

  let pendingResize = false;
  const observer = new ResizeObserver(() => {
    if (!drawn || pendingResize || !el.offsetParent) return;
    pendingResize = true;
    requestAnimationFrame(() => {
      pendingResize = false;
      if (drawn && Plotly) Plotly.Plots.resize(plot);
    });
  });
  observer.observe(el);
  model.on("change:figure", draw);
  if (isMap) {
    model.on("change:images", draw);
    // plotly.js is loaded while the passphrase is typed, once the passphrase screen is drawn.
    const prefetch = () => loadPlotly(model, false).catch(() => {});
    if (window.requestIdleCallback) window.requestIdleCallback(prefetch, { timeout: 1500 });
    else setTimeout(prefetch, 200);
    model.send({ event: "ready" });
  }
  showStatus(isMap ? model.get("loading_text") : "", false);
  draw();
  return () => {
    closed = true;
    observer.disconnect();
    if (Plotly && drawn) Plotly.purge(plot);
  };
}

export default { render };
