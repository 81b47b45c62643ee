// The 支え合いマップ figure's front end (an ES module for anywidget; kit/ui/map_figure.py).
//
// It draws with plotly.js loaded as a static file of the kit's server (cached by the browser
// for a year), so plotly never travels through the websocket. The kernel sends the figure as
// JSON and the background image only when it changes; this sends back clicks only (trace
// number, point number, x, y). Every rule is checked in the kernel.
// Until the map is drawn, 「地図を読み込み中…」 is shown in its place.

const SHARED = "__tkPlotly";

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

// One plotly.js per page: the server's cached file, else (plain Voila, JupyterLab) from the kernel.
function loadPlotly(model) {
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
  const loading = (url ? addScript(baseUrl() + url) : Promise.reject(new Error("no url")))
    .catch(fromKernel)
    .catch((error) => {
      window[SHARED] = null; // the next view may try again
      throw error;
    });
  window[SHARED] = loading;
  return loading;
}

// The invisible click layer comes without its grid of zeros: made here from its x and y.
function expand(trace) {
  if (trace.meta !== "click" || trace.z) return trace;
  const row = new Array((trace.x || []).length).fill(0);
  return { ...trace, z: (trace.y || []).map(() => row) };
}

function render({ model, el }) {
  const status = document.createElement("div");
  status.className = "tk-map-loading";
  status.setAttribute("role", "status");
  status.textContent = model.get("loading_text");
  el.appendChild(status);
  let Plotly = null;
  let drawn = false;
  let listening = false;
  let queue = Promise.resolve();
  let closed = false;

  const showStatus = (text, failed) => {
    status.textContent = text;
    status.classList.toggle("tk-error", Boolean(failed));
    status.style.display = "";
  };

  const clear = () => {
    if (Plotly && drawn) Plotly.purge(el);
    el.querySelectorAll(".plot-container, .svg-container").forEach((node) => node.remove());
    el.classList.remove("js-plotly-plot");
    drawn = false;
    showStatus(model.get("loading_text"), false);
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
    if (!figure.data || !figure.data.length) return clear();
    if (!drawn) showStatus(model.get("loading_text"), false);
    try {
      Plotly = await loadPlotly(model);
    } catch (error) {
      showStatus(model.get("failed_text"), true);
      return;
    }
    if (closed) return;
    const latest = model.get("figure") || {};
    if (latest !== figure) return; // a newer figure is queued behind this one
    const layout = { ...(figure.layout || {}), images: model.get("images") || [], autosize: true };
    await Plotly.react(el, figure.data.map(expand), layout, model.get("config") || {});
    drawn = true;
    status.style.display = "none";
    if (!listening) {
      el.on("plotly_click", clicked);
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
      if (drawn && Plotly) Plotly.Plots.resize(el);
    });
  });
  observer.observe(el);
  model.on("change:figure", draw);
  model.on("change:images", draw);
  // plotly.js is loaded while the passphrase is typed, once the passphrase screen is drawn.
  const prefetch = () => loadPlotly(model).catch(() => {});
  if (window.requestIdleCallback) window.requestIdleCallback(prefetch, { timeout: 1500 });
  else setTimeout(prefetch, 200);
  model.send({ event: "ready" });
  draw();
  return () => {
    closed = true;
    observer.disconnect();
    if (Plotly && drawn) Plotly.purge(el);
  };
}

export default { render };
