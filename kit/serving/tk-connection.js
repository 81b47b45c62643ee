/* tasukeai-kit: the page's kernel connection, kept for a community centre's Wi-Fi.
 *
 * Loaded in <head>, before Voila's bundle, from the kit's own template (no CDN). It wraps
 * window.WebSocket for /api/kernels/<id>/channels only:
 *  - the banner (.tk-connection-banner) says at once when the connection is down, and goes
 *    when it is back;
 *  - a heartbeat (kernel_info_request on the control channel, answered even while the
 *    kernel is busy) notices a dead socket (Wi-Fi out of range, packets dropped) in seconds;
 *  - the socket is replaced at once when the server answers again, with the same URL (same
 *    session id: jupyter_server replays what it buffered), and every message not yet known
 *    to have reached the server is sent again (the kernel drops repeats by message id);
 *  - Voila's kernel connection is then told to reconnect (no backoff: the new socket is
 *    already open) so the widget manager re-reads every widget's state from the kernel;
 *  - when the kernel is gone (server restarted, kernel culled), the page is loaded again:
 *    the member page finds the member again by the device, drafts are kept in the browser.
 * window.tkConnection holds the state for tests.
 */
(function () {
  "use strict";
  if (window.tkConnection) return;

  var NativeWebSocket = window.WebSocket;
  var CHANNELS = /\/api\/kernels\/([^/?#]+)\/channels(?:[?#]|$)/;
  var V1 = "v1.kernel.websocket.jupyter.org";
  var HB_PREFIX = "tk-hb-";

  function readConfig() {
    var node = document.getElementById("tk-connection-config");
    if (!node) return {};
    try {
      return JSON.parse(node.textContent || "{}");
    } catch (e) {
      return {};
    }
  }
  var config = readConfig();
  var text = config.text || {};
  var T = Object.assign(
    {
      heartbeat: 2000, // a heartbeat this often while connected
      dead: 3500, // nothing received this long, with a heartbeat outstanding: dead socket
      probe: 8000, // a probe of the server (GET /api/kernels/<id>) waits this long
      probes: 3, // probes under way at once
      stagger: 2500, // a new probe this often while none has answered
      first: 30000, // the page's first socket waits this long (the server may be busy)
      attempt: 10000, // a new socket to a server that answers waits this long to open
      retry: 700, // pause between failed attempts
      handoff: 8000, // Voila's connection must take the new socket within this time
      reloadGap: 8000, // never reload twice within this time
      frozen: 3000, // a timer tick later than this: the page was frozen or asleep
      busyNotice: 300, // a press unanswered this long shows the busy notice
      busyMax: 60000, // a press is no longer shown busy after this (kernel gone, reload)
    },
    config.timing || {}
  );

  var state = {
    status: "connecting", // "connecting" | "connected" | "down" | "reloading"
    down: false,
    downSince: null,
    outages: [], // {start, end, ms}
    reconnects: 0,
    resent: 0,
    released: 0, // widget messages answered by the page while the connection was down
    busy: 0, // presses sent and not yet answered by the kernel
    heartbeats: 0,
    lastHeartbeatMs: null,
    events: [],
  };
  window.tkConnection = state;

  function now() {
    return Date.now();
  }
  function note(what) {
    state.events.push([now(), what]);
    if (state.events.length > 200) state.events.splice(0, 50);
  }

  // --- the banner ------------------------------------------------------------------------
  var banner = null;
  function bannerElement() {
    if (banner) return banner;
    if (!document.body) return null;
    var style = document.createElement("style");
    style.textContent =
      ".tk-connection-banner{position:fixed;left:0;right:0;top:0;z-index:10000;" +
      "padding:16px 20px;font-size:22px;line-height:1.5;font-weight:bold;text-align:center;" +
      "background:#8a1c00;color:#fff;box-shadow:0 2px 8px rgba(0,0,0,.4)}" +
      ".tk-connection-banner[hidden]{display:none}" +
      ".tk-connection-banner .tk-connection-detail{display:block;font-size:18px;font-weight:normal}";
    document.head.appendChild(style);
    banner = document.createElement("div");
    banner.id = "tk-connection-banner";
    banner.className = "tk-connection-banner";
    banner.setAttribute("role", "alert");
    banner.setAttribute("aria-live", "assertive");
    banner.hidden = true;
    document.body.appendChild(banner);
    return banner;
  }
  function showBanner(detail) {
    var el = bannerElement();
    if (!el) {
      document.addEventListener("DOMContentLoaded", function () {
        if (state.down) showBanner(detail);
      });
      return;
    }
    el.textContent = text.down || "接続が切れました。Wi-Fi を確かめてください。自動でつなぎ直します";
    if (detail) {
      var small = document.createElement("span");
      small.className = "tk-connection-detail";
      small.textContent = detail;
      el.appendChild(small);
    }
    el.hidden = false;
    document.documentElement.classList.add("tk-offline");
  }
  function hideBanner() {
    if (banner) banner.hidden = true;
    document.documentElement.classList.remove("tk-offline");
  }

  function markDown(why) {
    if (!state.down) {
      state.down = true;
      state.downSince = now();
      note("down: " + why);
    }
    if (state.status !== "reloading") state.status = "down";
    showBanner();
  }
  function markUp() {
    if (state.down) {
      var end = now();
      state.outages.push({ start: state.downSince, end: end, ms: end - state.downSince });
      note("up after " + (end - state.downSince) + " ms");
    }
    state.down = false;
    state.downSince = null;
    state.status = "connected";
    hideBanner();
  }

  // --- the wire format (jupyter_server: v1 binary, or the legacy JSON) ------------------
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function encodeV1(channel, parts) {
    var chunks = [encoder.encode(channel)].concat(
      parts.map(function (p) {
        return encoder.encode(p);
      })
    );
    var count = chunks.length + 1; // offsets: start of each chunk, and the end
    var head = 8 * (count + 1);
    var total = head;
    chunks.forEach(function (c) {
      total += c.length;
    });
    var out = new Uint8Array(total);
    var view = new DataView(out.buffer);
    view.setUint32(0, count, true);
    var offset = head;
    chunks.forEach(function (c, i) {
      view.setUint32(8 * (i + 1), offset, true);
      out.set(c, offset);
      offset += c.length;
    });
    view.setUint32(8 * (chunks.length + 1), offset, true);
    return out.buffer;
  }

  function v1Part(buffer, index) {
    // index 0: channel; 1: header; 2: parent header; …
    var view = new DataView(buffer);
    if (buffer.byteLength < 16) return null;
    var count = view.getUint32(0, true);
    if (index + 1 >= count || 8 * (count + 1) > buffer.byteLength) return null;
    var start = view.getUint32(8 * (index + 1), true);
    var end = view.getUint32(8 * (index + 2), true);
    if (end < start || end > buffer.byteLength) return null;
    return decoder.decode(new Uint8Array(buffer, start, end - start));
  }

  function heartbeatFrame(protocol, id) {
    var header = {
      msg_id: id,
      msg_type: "kernel_info_request",
      username: "",
      session: "tk-heartbeat",
      date: new Date().toISOString(),
      version: "5.3",
    };
    if (protocol === V1) {
      return encodeV1("control", [JSON.stringify(header), "{}", "{}", "{}"]);
    }
    return JSON.stringify({
      header: header,
      parent_header: {},
      metadata: {},
      content: {},
      channel: "control",
      buffers: [],
    });
  }

  // The heartbeat a message answers, or null.
  function heartbeatAnswered(protocol, data) {
    try {
      if (protocol === V1 && data instanceof ArrayBuffer) {
        var channel = v1Part(data, 0);
        if (channel !== "control" && channel !== "iopub") return null;
        var parent = v1Part(data, 2);
        if (!parent || parent.indexOf(HB_PREFIX) < 0) return null;
        return JSON.parse(parent).msg_id || null;
      }
      if (typeof data === "string" && data.indexOf(HB_PREFIX) >= 0) {
        var msg = JSON.parse(data);
        var id = msg.parent_header && msg.parent_header.msg_id;
        return id && id.indexOf(HB_PREFIX) === 0 ? id : null;
      }
    } catch (e) {
      return null;
    }
    return null;
  }

  // --- a press the kernel has not answered yet (issue 11) ------------------------------------
  // A click on a widget's button arms; the comm message the click sends is remembered by its
  // msg_id and the button gets .tk-busy (aria-busy) at once, until the kernel reports idle
  // for that message (its answer is in). A press waiting longer than T.busyNotice also puts
  // .tk-waiting on <html> and shows .tk-busy-notice (text.busy), so a slow step never looks
  // like a frozen page. window.tkConnection.busy counts the presses waiting.
  var armed = null; // {el, at}: the button just clicked
  var pressed = {}; // msg_id -> {el, at, timer}
  var noticeTimer = null;
  var notice = null;
  document.addEventListener(
    "click",
    function (event) {
      var el = event.target && event.target.closest ? event.target.closest("button") : null;
      armed = el && el.closest(".jupyter-widgets, .lm-Widget") ? { el: el, at: now() } : null;
    },
    true
  );
  function parts(protocol, data, wanted) {
    // [channel, header, parent, metadata, content] of a message (only those asked for)
    var out = {};
    if (protocol === V1 && data instanceof ArrayBuffer) {
      if (wanted.indexOf("channel") >= 0) out.channel = v1Part(data, 0);
      out.header = v1Part(data, 1);
      if (wanted.indexOf("parent") >= 0) out.parent = v1Part(data, 2);
      if (wanted.indexOf("content") >= 0) out.content = v1Part(data, 4);
      return out;
    }
    if (typeof data === "string") {
      var msg = JSON.parse(data);
      return {
        channel: msg.channel,
        header: JSON.stringify(msg.header || {}),
        parent: JSON.stringify(msg.parent_header || {}),
        content: JSON.stringify(msg.content || {}),
      };
    }
    return null;
  }
  function busyNotice() {
    if (notice || !document.body) return notice;
    notice = document.createElement("div");
    notice.className = "tk-busy-notice";
    notice.setAttribute("role", "status");
    notice.textContent = text.busy || "処理しています…";
    notice.hidden = true;
    document.body.appendChild(notice);
    return notice;
  }
  function updateNotice() {
    noticeTimer = null;
    var oldest = null;
    Object.keys(pressed).forEach(function (id) {
      if (oldest === null || pressed[id].at < oldest) oldest = pressed[id].at;
    });
    var waiting = oldest !== null && now() - oldest >= T.busyNotice;
    document.documentElement.classList.toggle("tk-waiting", waiting);
    var el = busyNotice();
    if (el) el.hidden = !waiting;
    if (oldest !== null && !waiting) {
      noticeTimer = setTimeout(updateNotice, Math.max(T.busyNotice - (now() - oldest), 10));
    }
  }
  function release(id) {
    var entry = pressed[id];
    if (!entry) return;
    delete pressed[id];
    clearTimeout(entry.timer);
    state.busy -= 1;
    var still = Object.keys(pressed).some(function (k) {
      return pressed[k].el === entry.el;
    });
    if (!still) {
      entry.el.classList.remove("tk-busy");
      entry.el.removeAttribute("aria-busy");
    }
    if (noticeTimer) clearTimeout(noticeTimer);
    updateNotice();
  }
  function noteSent(protocol, data) {
    if (!armed) return;
    if (now() - armed.at > 250) {
      armed = null;
      return;
    }
    var msg;
    try {
      msg = parts(protocol, data, ["channel"]);
      if (!msg || msg.channel !== "shell" || msg.header.indexOf("comm_msg") < 0) return;
      var header = JSON.parse(msg.header);
      if (header.msg_type !== "comm_msg") return;
      var el = armed.el;
      armed = null;
      var id = header.msg_id;
      pressed[id] = { el: el, at: now(), timer: setTimeout(function () { release(id); }, T.busyMax) };
      state.busy += 1;
      el.classList.add("tk-busy");
      el.setAttribute("aria-busy", "true");
      if (!noticeTimer) noticeTimer = setTimeout(updateNotice, T.busyNotice);
    } catch (e) {
      /* never stop a message for this */
    }
  }
  function noteReceived(protocol, data) {
    try {
      var msg = parts(protocol, data, ["channel", "parent", "content"]);
      if (!msg || msg.channel !== "iopub" || !msg.header || msg.header.indexOf("status") < 0) return;
      if (JSON.parse(msg.header).msg_type !== "status") return;
      if (JSON.parse(msg.content).execution_state !== "idle") return;
      release(JSON.parse(msg.parent).msg_id);
    } catch (e) {
      /* not ours */
    }
  }

  // --- one kernel's connection, kept across sockets ---------------------------------------
  var parked = {}; // url -> Link waiting for Voila's connection to take it again
  var links = [];

  function Link(facade, url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.kernelId = decodeURIComponent((CHANNELS.exec(url) || [])[1] || "");
    this.facade = facade;
    this.socket = null;
    this.protocol = "";
    this.opened = false; // a socket of this link has opened at least once
    this.closed = false; // the page closed it on purpose
    this.log = []; // frames not yet known to have reached the server, and heartbeat marks
    this.inbox = []; // frames received while no facade holds the link
    this.lastReceived = now();
    this.lastTick = now();
    this.heartbeat = null; // {id, sent}
    this.hbCount = 0;
    this.probing = false;
    this.probeControllers = [];
    this.unanswered = {}; // msg_id -> parent header (JSON) of a widget message not yet answered
    this.timer = setInterval(this.tick.bind(this), 500);
    links.push(this);
    this.connect(T.first);
  }

  Link.prototype.connect = function (timeout) {
    var self = this;
    var socket;
    try {
      socket = new NativeWebSocket(this.url, this.protocols);
    } catch (e) {
      setTimeout(function () {
        self.failed(null, "create");
      }, T.retry);
      return;
    }
    socket.binaryType = this.facade ? this.facade._binaryType : "arraybuffer";
    this.pending = socket;
    note("socket opening");
    var settled = false;
    var timer = setTimeout(function () {
      if (settled) return;
      settled = true;
      drop(socket);
      self.failed(socket, "timeout");
    }, timeout);
    socket.onopen = function () {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      self.pending = null;
      self.opened_(socket);
    };
    socket.onerror = function () {};
    socket.onclose = function (event) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      self.failed(socket, "closed " + event.code);
    };
  };

  function drop(socket) {
    if (!socket) return;
    socket.onopen = socket.onclose = socket.onerror = socket.onmessage = null;
    try {
      socket.close();
    } catch (e) {
      /* already closed */
    }
  }

  Link.prototype.opened_ = function (socket) {
    var self = this;
    var first = !this.opened;
    this.socket = socket;
    this.protocol = socket.protocol;
    this.opened = true;
    this.lastReceived = now();
    this.lastTick = now();
    this.heartbeat = null;
    socket.onmessage = function (event) {
      self.received(event);
    };
    socket.onclose = function (event) {
      if (self.socket === socket) self.lost("closed " + event.code);
    };
    socket.onerror = function () {};
    if (first) {
      markUp();
      if (this.facade) this.facade._open(this);
      return;
    }
    // Back after an outage: send again what the server may not have had, then let
    // Voila's connection reconnect so the widgets are read again from the kernel.
    var again = this.log.filter(function (entry) {
      return !entry.hb;
    });
    this.log = [];
    again.forEach(function (entry) {
      socket.send(entry.data);
      self.log.push(entry);
    });
    state.resent += again.length;
    state.reconnects += 1;
    markUp();
    note("resent " + again.length);
    this.handOff();
  };

  Link.prototype.handOff = function () {
    var old = this.facade;
    this.facade = null;
    if (!old || old.readyState !== 1) {
      // nobody holds the connection (Voila gave up on it earlier): keep it parked
    }
    var self = this;
    parked[this.url] = this;
    this.handoffTimer = setTimeout(function () {
      if (parked[self.url] === self) {
        delete parked[self.url];
        self.shutdown();
      }
    }, T.handoff);
    if (old) old._lost();
  };

  Link.prototype.adopt = function (facade) {
    clearTimeout(this.handoffTimer);
    if (parked[this.url] === this) delete parked[this.url];
    this.facade = facade;
    facade._open(this);
    var inbox = this.inbox;
    this.inbox = [];
    inbox.forEach(function (event) {
      facade._message(event);
    });
  };

  Link.prototype.received = function (event) {
    this.lastReceived = now();
    var id = heartbeatAnswered(this.protocol, event.data);
    if (id) {
      if (this.heartbeat && this.heartbeat.id === id) {
        state.lastHeartbeatMs = now() - this.heartbeat.sent;
        this.heartbeat = null;
      }
      // everything sent before that heartbeat has reached the server
      for (var i = 0; i < this.log.length; i++) {
        if (this.log[i].hb === id) {
          this.log.splice(0, i + 1);
          break;
        }
      }
      return;
    }
    if (state.busy > 0) noteReceived(this.protocol, event.data);
    for (var key in this.unanswered) {
      this.answered(event.data);
      break;
    }
    if (this.facade) this.facade._message(event);
    else this.inbox.push(event);
  };

  Link.prototype.send = function (data) {
    if (armed) noteSent(this.protocol, data);
    this.log.push({ data: data });
    if (this.log.length > 3000) this.log.splice(0, 1000);
    var id = this.noteWidgetMessage(data);
    if (id && (!this.socket || state.down)) this.releaseWidget(id);
    if (this.socket && !state.down) {
      try {
        this.socket.send(data);
      } catch (e) {
        this.lost("send failed");
      }
    }
  };

  // ipywidgets sends a widget's next change only once the kernel has answered the last one
  // (its status idle for that message). While the connection is down nothing answers, so a
  // second slider move stayed inside the widget, was never sent, and the kernel kept the
  // first: the page then showed one allocation and sent another. While down, each widget
  // message is answered here at once ("idle"), so every change goes into the log above and
  // reaches the kernel in order, before 送る, when the connection is back.
  Link.prototype.noteWidgetMessage = function (data) {
    try {
      var msg = parts(this.protocol, data, ["channel"]);
      if (!msg || msg.channel !== "shell" || !msg.header || msg.header.indexOf("comm_msg") < 0) {
        return null;
      }
      var header = JSON.parse(msg.header);
      if (header.msg_type !== "comm_msg" || !header.msg_id) return null;
      var ids = Object.keys(this.unanswered);
      if (ids.length > 500) delete this.unanswered[ids[0]];
      this.unanswered[header.msg_id] = msg.header;
      return header.msg_id;
    } catch (e) {
      return null;
    }
  };

  Link.prototype.answered = function (data) {
    try {
      var msg = parts(this.protocol, data, ["channel", "parent"]);
      if (!msg || msg.channel !== "iopub" || !msg.header || msg.header.indexOf("status") < 0) return;
      if (JSON.parse(msg.header).msg_type !== "status") return;
      delete this.unanswered[JSON.parse(msg.parent).msg_id];
    } catch (e) {
      /* not ours */
    }
  };

  Link.prototype.releaseWidget = function (id) {
    var parent = this.unanswered[id];
    if (!parent) return;
    delete this.unanswered[id];
    var header = {
      msg_id: "tk-idle-" + id,
      msg_type: "status",
      username: "",
      session: "tk-connection",
      date: new Date().toISOString(),
      version: "5.3",
    };
    var content = { execution_state: "idle" };
    var frame =
      this.protocol === V1
        ? encodeV1("iopub", [JSON.stringify(header), parent, "{}", JSON.stringify(content)])
        : JSON.stringify({
            header: header,
            parent_header: JSON.parse(parent),
            metadata: {},
            content: content,
            channel: "iopub",
            buffers: [],
          });
    var self = this;
    setTimeout(function () {
      // only to the widgets: the busy notice of a press waits for the kernel's own answer
      if (self.facade) self.facade._message({ data: frame, origin: location.origin });
    }, 0);
    state.released += 1;
  };

  Link.prototype.releaseWidgets = function () {
    Object.keys(this.unanswered).forEach(this.releaseWidget.bind(this));
  };

  Link.prototype.sendHeartbeat = function () {
    if (!this.socket) return;
    this.hbCount += 1;
    var id = HB_PREFIX + this.hbCount + "-" + Math.random().toString(36).slice(2, 10);
    this.heartbeat = { id: id, sent: now() };
    this.lastHbAt = now();
    this.log.push({ hb: id });
    state.heartbeats += 1;
    try {
      this.socket.send(heartbeatFrame(this.protocol, id));
    } catch (e) {
      this.lost("heartbeat failed");
    }
  };

  Link.prototype.tick = function () {
    if (this.closed) return;
    var t = now();
    var gap = t - this.lastTick;
    this.lastTick = t;
    if (!this.socket) return;
    if (gap > T.frozen) {
      // the page was frozen or the tablet asleep: ask again before judging the socket
      this.lastReceived = t;
      this.sendHeartbeat();
      return;
    }
    if (this.heartbeat) {
      if (t - this.heartbeat.sent > T.dead && t - this.lastReceived > T.dead) {
        this.lost("no answer for " + (t - this.lastReceived) + " ms");
      }
    } else if (!this.lastHbAt || t - this.lastHbAt >= T.heartbeat) {
      this.sendHeartbeat();
    }
  };

  Link.prototype.lost = function (why) {
    if (this.closed) return;
    var socket = this.socket;
    this.socket = null;
    this.heartbeat = null;
    drop(socket);
    if (!this.opened) return;
    markDown(why);
    this.releaseWidgets();
    this.reconnect();
  };

  Link.prototype.failed = function (socket, why) {
    if (this.closed) return;
    if (this.pending === socket) this.pending = null;
    note("attempt failed: " + why);
    if (this.opened || why === "timeout") markDown(why);
    var self = this;
    setTimeout(function () {
      self.reconnect();
    }, T.retry);
  };

  // Ask the server whether it answers and still has the kernel, then open a socket. Probes
  // overlap (a new one every T.stagger, at most T.probes at once, each waiting T.probe): a
  // busy laptop has time to answer, and a network that comes back is tried within seconds.
  Link.prototype.reconnect = function () {
    if (this.closed || this.socket || this.pending || this.probing) return;
    this.probing = true;
    this.probeControllers = [];
    this.launchProbe();
  };

  Link.prototype.launchProbe = function () {
    var self = this;
    clearTimeout(this.probeTimer);
    if (!this.probing || this.closed) return;
    if (this.probeControllers.length < T.probes) this.probe();
    this.probeTimer = setTimeout(function () {
      self.launchProbe();
    }, T.stagger);
  };

  Link.prototype.stopProbing = function () {
    this.probing = false;
    clearTimeout(this.probeTimer);
    var controllers = this.probeControllers || [];
    this.probeControllers = [];
    controllers.forEach(function (controller) {
      controller.abort();
    });
  };

  Link.prototype.probe = function () {
    var self = this;
    var controller = new AbortController();
    this.probeControllers.push(controller);
    function forget() {
      var i = self.probeControllers.indexOf(controller);
      if (i >= 0) self.probeControllers.splice(i, 1);
    }
    var timer = setTimeout(function () {
      controller.abort();
    }, T.probe);
    note("probe sent");
    var base = this.url.replace(/^ws/, "http").replace(/\/channels(?:[?#].*)?$/, "");
    fetch(base + "?tk=" + now(), {
      cache: "no-store",
      credentials: "same-origin",
      signal: controller.signal,
    })
      .then(function (response) {
        clearTimeout(timer);
        forget();
        note("probe answered " + response.status);
        if (self.closed || !self.probing) return;
        if (response.status === 404 || response.status === 403) {
          self.stopProbing();
          kernelGone(self, response.status);
          return;
        }
        if (!response.ok) throw new Error("status " + response.status);
        self.stopProbing();
        self.connect(T.attempt);
      })
      .catch(function (error) {
        clearTimeout(timer);
        forget();
        if (self.closed || !self.probing) return;
        note("probe failed: " + (error && error.name));
        markDown("probe");
        if (!error || error.name !== "AbortError") {
          // the network said no at once (Wi-Fi off): ask again shortly
          clearTimeout(self.probeTimer);
          self.probeTimer = setTimeout(function () {
            self.launchProbe();
          }, T.retry);
        }
      });
  };

  Link.prototype.shutdown = function () {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.handoffTimer);
    drop(this.socket);
    drop(this.pending);
    this.socket = this.pending = null;
    this.stopProbing();
    var i = links.indexOf(this);
    if (i >= 0) links.splice(i, 1);
  };

  Link.prototype.wake = function () {
    // the network is back, or the page is shown again: try now, check the socket now
    if (this.closed) return;
    if (this.socket) {
      this.lastReceived = now();
      this.sendHeartbeat();
    } else if (this.probing) {
      this.launchProbe();
    } else if (this.opened) {
      this.reconnect();
    }
  };

  // --- the kernel is gone: load the page again -------------------------------------------
  function kernelGone(link, status) {
    note("kernel gone (" + status + ")");
    link.shutdown();
    state.status = "reloading";
    markDown("kernel gone");
    showBanner(text.reloading || "");
    var last = 0;
    try {
      last = Number(sessionStorage.getItem("tk-reload-at") || 0);
    } catch (e) {
      /* private mode */
    }
    var wait = Math.max(0, last + T.reloadGap - now());
    setTimeout(function () {
      try {
        sessionStorage.setItem("tk-reload-at", String(now()));
      } catch (e) {
        /* private mode */
      }
      window.dispatchEvent(new Event("tk-before-reload"));
      window.location.reload();
    }, wait);
  }

  // --- what Voila's kernel connection holds ------------------------------------------------
  function KitKernelSocket(url, protocols) {
    var target = document.createDocumentFragment ? document.createElement("span") : null;
    this._target = target;
    this.url = url;
    this.readyState = 0;
    this.protocol = "";
    this.extensions = "";
    this.bufferedAmount = 0;
    this._binaryType = "blob";
    this.onopen = this.onclose = this.onerror = this.onmessage = null;
    this._link = null;
    var waiting = parked[url];
    var self = this;
    if (waiting) {
      setTimeout(function () {
        if (self.readyState === 0) waiting.adopt(self);
      }, 0);
    } else {
      this._link = new Link(this, url, protocols);
    }
  }
  KitKernelSocket.CONNECTING = 0;
  KitKernelSocket.OPEN = 1;
  KitKernelSocket.CLOSING = 2;
  KitKernelSocket.CLOSED = 3;
  Object.defineProperty(KitKernelSocket.prototype, "binaryType", {
    get: function () {
      return this._binaryType;
    },
    set: function (value) {
      this._binaryType = value;
      var link = this._link;
      if (link && link.socket) link.socket.binaryType = value;
      if (link && link.pending) link.pending.binaryType = value;
    },
  });
  KitKernelSocket.prototype.addEventListener = function (type, fn, opts) {
    this._target.addEventListener(type, fn, opts);
  };
  KitKernelSocket.prototype.removeEventListener = function (type, fn, opts) {
    this._target.removeEventListener(type, fn, opts);
  };
  KitKernelSocket.prototype._fire = function (type, event) {
    var handler = this["on" + type];
    if (typeof handler === "function") handler.call(this, event);
    this._target.dispatchEvent(event);
  };
  KitKernelSocket.prototype._open = function (link) {
    this._link = link;
    this.readyState = 1;
    this.protocol = link.protocol;
    this._fire("open", new Event("open"));
  };
  KitKernelSocket.prototype._message = function (event) {
    if (this.readyState !== 1) return;
    this._fire("message", new MessageEvent("message", { data: event.data, origin: event.origin }));
  };
  KitKernelSocket.prototype._lost = function () {
    // the link goes on under a new holder: tell Voila's connection this socket closed
    this._link = null;
    this.readyState = 3;
    this._fire("close", new CloseEvent("close", { code: 4000, reason: "tk-reconnect", wasClean: false }));
  };
  KitKernelSocket.prototype.send = function (data) {
    if (this.readyState !== 1 || !this._link) {
      throw new DOMException("WebSocket is not open", "InvalidStateError");
    }
    this._link.send(data);
  };
  KitKernelSocket.prototype.close = function () {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    var link = this._link;
    this._link = null;
    if (link) link.shutdown();
  };

  function KitWebSocket(url, protocols) {
    var href = String(url);
    if (!CHANNELS.test(href)) {
      return protocols === undefined ? new NativeWebSocket(href) : new NativeWebSocket(href, protocols);
    }
    return new KitKernelSocket(href, protocols);
  }
  KitWebSocket.prototype = NativeWebSocket.prototype;
  KitWebSocket.CONNECTING = 0;
  KitWebSocket.OPEN = 1;
  KitWebSocket.CLOSING = 2;
  KitWebSocket.CLOSED = 3;
  window.WebSocket = KitWebSocket;

  // --- the network and the page's life ---------------------------------------------------
  function wakeAll() {
    links.slice().forEach(function (link) {
      link.wake();
    });
  }
  window.addEventListener("offline", function () {
    if (links.some(function (l) { return l.opened; })) markDown("offline");
    wakeAll();
  });
  window.addEventListener("online", wakeAll);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") wakeAll();
  });
  document.addEventListener("resume", wakeAll);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) wakeAll();
  });
  window.addEventListener("pagehide", function () {
    state.status = "closing";
  });

  // --- drafts kept in the browser: the issue text being typed ------------------------------
  // The member page marks its task with a class tk-scope-<meeting>-<member>; the text is
  // kept per page and scope, restored once when the form comes back (reload, new kernel).
  var DRAFT_FIELDS = [".tk-issue-text textarea"];
  var handled = typeof WeakSet === "function" ? new WeakSet() : null;
  function draftScope() {
    var el = document.querySelector("[class*='tk-scope-']");
    if (!el) return null;
    var m = /(?:^|\s)(tk-scope-[A-Za-z0-9_-]+)/.exec(el.className);
    return m ? m[1] : null;
  }
  function draftKey(scope, selector) {
    return "tk-draft:" + location.pathname + ":" + scope + ":" + selector;
  }
  function editing() {
    return !!document.querySelector(".tk-issue-editing-note");
  }
  function checkDrafts() {
    if (!handled) return;
    var scope = draftScope();
    if (!scope) return;
    DRAFT_FIELDS.forEach(function (selector) {
      var field = document.querySelector(selector);
      if (!field) return;
      var key = draftKey(scope, selector);
      if (!handled.has(field)) {
        handled.add(field);
        var saved = null;
        try {
          saved = localStorage.getItem(key);
        } catch (e) {
          saved = null;
        }
        if (saved && !field.value && !editing()) {
          field.value = saved;
          field.dispatchEvent(new Event("input", { bubbles: true }));
          note("draft restored");
        }
        field.addEventListener("input", function () {
          saveDraft(key, field);
        });
        return;
      }
      saveDraft(key, field);
    });
  }
  function saveDraft(key, field) {
    if (editing()) return;
    try {
      if (field.value) localStorage.setItem(key, field.value.slice(0, 4000));
      else localStorage.removeItem(key);
    } catch (e) {
      /* storage full or blocked: the kernel still has what reached it */
    }
  }
  // --- drafts kept in the browser: dots the kernel may not have had -------------------------
  // The kernel keeps a member's moved dots as a draft in the store, but only what reached it:
  // dots moved while the laptop was away die with its kernel (restarted server, kernel
  // culled). So the dots the page shows are kept here too while the page has sent anything
  // the server has not acknowledged, per scope and vote (its rows' labels); on a new page
  // they are put back with the rows' −/＋ buttons, as the member would, so the kernel checks
  // each step and keeps the result as its draft (「まだ送っていません」 until 送る).
  var dots = { seen: null, candidate: null, restoring: 0 };
  function voteRows() {
    var rows = {};
    document.querySelectorAll("[class*='tk-vote-item-']").forEach(function (item) {
      var m = /(?:^|\s)tk-vote-item-(\d+)(?:\s|$)/.exec(item.className);
      if (!m || item.offsetParent === null) return;
      var handle = item.querySelector(".noUi-handle[aria-valuenow]");
      var label = item.querySelector(".tk-vote-item-label");
      if (!handle || !label) return;
      rows[m[1]] = {
        value: Math.round(parseFloat(handle.getAttribute("aria-valuenow")) || 0),
        label: (label.textContent || "").trim(),
      };
    });
    return rows;
  }
  function unacknowledged() {
    return links.some(function (link) {
      return link.log.some(function (entry) {
        return !entry.hb;
      });
    });
  }
  function sameValues(a, b) {
    var keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every(function (k) {
      return a[k] === b[k];
    });
  }
  function checkDots(scope) {
    var rows = voteRows();
    var positions = Object.keys(rows).sort();
    if (!positions.length) return;
    var vote = positions
      .map(function (k) {
        return k + ":" + rows[k].label;
      })
      .join("|");
    var values = {};
    positions.forEach(function (k) {
      values[k] = rows[k].value;
    });
    var key = "tk-dots:" + location.pathname + ":" + scope;
    var saved = null;
    try {
      saved = JSON.parse(localStorage.getItem(key) || "null");
    } catch (e) {
      saved = null;
    }
    if (dots.restoring > 0) {
      dots.restoring -= 1;
      return;
    }
    if (!dots.seen || dots.seen.vote !== vote) {
      // a vote first shown on this page: wait until it holds still and the kernel answers
      if (!dots.candidate || dots.candidate.vote !== vote || !sameValues(dots.candidate.values, values)) {
        dots.candidate = { vote: vote, values: values };
        return;
      }
      if (state.status !== "connected") return;
      dots.candidate = null;
      dots.seen = { vote: vote, values: values };
      if (saved && saved.vote === vote && !sameValues(saved.values, values)) {
        restoreDots(values, saved.values);
      }
      return;
    }
    if (!sameValues(dots.seen.values, values)) {
      dots.seen.values = values;
      if (state.down || unacknowledged()) {
        try {
          localStorage.setItem(key, JSON.stringify({ vote: vote, values: values, at: now() }));
        } catch (e) {
          /* storage full or blocked */
        }
      }
      return;
    }
    if (saved && !state.down && state.status === "connected" && !unacknowledged()) {
      try {
        localStorage.removeItem(key); // the kernel has had it all: its draft is the one
      } catch (e) {
        /* blocked */
      }
    }
  }
  function restoreDots(shown, wanted) {
    // fewer first, so the member's budget of dots is never exceeded on the way
    var presses = [];
    Object.keys(wanted).forEach(function (k) {
      if (!(k in shown)) return;
      var by = Math.max(-20, Math.min(20, (wanted[k] | 0) - shown[k]));
      for (var i = 0; i < Math.abs(by); i++) presses.push({ k: k, down: by < 0 });
    });
    presses.sort(function (a, b) {
      return (b.down ? 1 : 0) - (a.down ? 1 : 0);
    });
    if (!presses.length) return;
    note("dots restored: " + presses.length + " steps");
    dots.restoring = 4;
    presses.forEach(function (press) {
      var button = document.querySelector(
        (press.down ? ".tk-vote-minus-" : ".tk-vote-plus-") + press.k
      );
      if (button && !button.disabled) button.click();
    });
  }
  setInterval(function () {
    checkDrafts();
    var scope = draftScope();
    if (scope) checkDots(scope);
  }, 500);
  window.addEventListener("tk-before-reload", checkDrafts);
  window.addEventListener("pagehide", checkDrafts);
})();
