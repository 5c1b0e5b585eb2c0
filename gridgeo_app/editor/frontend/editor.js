/* gridgeo plan editor: paint atoms into grids in the browser, Districtr-style.

   The browser holds the atom -> grid assignment of one community and redraws locally on every
   click or stroke (no server round trip for feedback). Each finished stroke, undo, redo,
   selection or drawn line is queued with a sequence number and sent to Python as
   {sid, seq, ops: [...unacknowledged ops]}; Python applies them with gridgeo.plan.ops and renders
   the component again with the authoritative assignment, the last sequence number it applied
   ("ack") and the ops it refused. Ops not yet acknowledged are replayed on top of the server's
   assignment, so a slow server never undoes what the planner sees. */
(function () {
  "use strict";

  var BRUSH_RADII = [0, 10, 20, 34, 52];  // px, brush sizes 1..5 (1 = the atom under the pointer)
  var S = {
    sid: Math.random().toString(36).slice(2, 10),
    seq: 0, queue: [], undo: [], redo: [], rejectedSeen: 0,
    assign: {}, atoms: {}, order: [], layers: {},
    grids: {}, gridOrder: [], base: {}, band: {min: 0, max: Infinity},
    tool: "brush", size: 2, active: null, colorMode: "grid", legacyLayer: null,
    selection: new Set(), touched: new Set(),
    staticKey: null, extRev: null, stroke: null, line: null, spaceDown: false,
    latency: [], serverMs: null, canUndo: false, canRedo: false,
    labels: {}, statusColors: {}, severityColors: {}, fillSample: [], map: null, atomLayer: null, outlineLayer: null,
    labelPane: null, labelEls: null, issueLayer: null, lineLayer: null, cursor: null, viewNonce: null
  };
  window.__pe = S;  // read by the browser test (latencies, counts)

  function L_(key) { return S.labels[key] || key; }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
    });
  }
  function fmt(n) { return Math.round(n).toLocaleString("zh-CN"); }

  // ---------------------------------------------------------------- geometry
  function ringsOf(geom) {  // -> list of polygons, each a list of rings of [x, y]
    if (!geom) return [];
    if (geom.type === "Polygon") return [geom.coordinates];
    if (geom.type === "MultiPolygon") return geom.coordinates;
    return [];
  }
  function bboxOf(polys) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    polys.forEach(function (poly) {
      poly[0].forEach(function (p) {
        if (p[0] < b[0]) b[0] = p[0]; if (p[1] < b[1]) b[1] = p[1];
        if (p[0] > b[2]) b[2] = p[0]; if (p[1] > b[3]) b[3] = p[1];
      });
    });
    return b;
  }
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function contains(atom, x, y) {
    var b = atom.bbox;
    if (x < b[0] || x > b[2] || y < b[1] || y > b[3]) return false;
    return atom.polys.some(function (poly) {
      if (!inRing(x, y, poly[0])) return false;
      for (var k = 1; k < poly.length; k++) if (inRing(x, y, poly[k])) return false;
      return true;
    });
  }
  function segDist2(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, len = dx * dx + dy * dy;
    var t = len > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len)) : 0;
    var ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
  }
  function near(atom, x, y, rx, ry) {  // within the brush ellipse (rx, ry in degrees)
    var b = atom.bbox;
    if (x < b[0] - rx || x > b[2] + rx || y < b[1] - ry || y > b[3] + ry) return false;
    if (contains(atom, x, y)) return true;
    var sx = 1 / rx, sy = 1 / ry;
    return atom.polys.some(function (poly) {
      return poly.some(function (ring) {
        for (var i = 1; i < ring.length; i++) {
          if (segDist2(x * sx, y * sy, ring[i - 1][0] * sx, ring[i - 1][1] * sy,
                       ring[i][0] * sx, ring[i][1] * sy) <= 1) return true;
        }
        return false;
      });
    });
  }
  function hits(latlng, radiusPx) {
    var x = latlng.lng, y = latlng.lat, out = [];
    if (!radiusPx) {
      for (var i = 0; i < S.order.length; i++) {
        if (contains(S.atoms[S.order[i]], x, y)) return [S.order[i]];
      }
      return out;
    }
    var cp = S.map.latLngToContainerPoint(latlng);
    var other = S.map.containerPointToLatLng([cp.x + radiusPx, cp.y + radiusPx]);
    var rx = Math.abs(other.lng - x), ry = Math.abs(other.lat - y);
    S.order.forEach(function (id) { if (near(S.atoms[id], x, y, rx, ry)) out.push(id); });
    return out;
  }

  // ---------------------------------------------------------------- figures
  function totals() {
    var t = {};
    S.gridOrder.forEach(function (c) { t[c] = 0; });
    S.order.forEach(function (id) {
      var g = S.assign[id];
      if (g != null) t[g] = (t[g] || 0) + S.atoms[id].h;
    });
    return t;
  }
  function status(h) {
    if (h <= 0) return "empty";
    if (h < S.band.min - 1e-9) return "under_min";
    if (h > S.band.max + 1e-9) return "over_max";
    return "ok";
  }
  function gridColor(code) { return (S.grids[code] && S.grids[code].color) || "#bdbdbd"; }
  function locked(code) { return code != null && S.grids[code] && S.grids[code].locked; }
  function shortName(code) {  // "010 · 010网格" reads "010网格": no community name, no repeated serial
    var g = S.grids[code];
    if (!g) return String(code);
    var name = g.name && g.name !== code ? g.name : "";
    if (S.communityName && name.indexOf(S.communityName) === 0 && name.length > S.communityName.length) {
      name = name.slice(S.communityName.length);
    }
    if (!name) return g.short;
    return name.indexOf(g.short) >= 0 ? name : g.short + " · " + name;
  }

  // ---------------------------------------------------------------- drawing
  var hhCache = null;
  function styleOf(id) {
    var g = S.assign[id], sel = S.selection.has(id), fill;
    if (g == null) fill = "#ffffff";
    else if (S.colorMode === "status") fill = S.statusColors[status(hhCache ? hhCache[g] || 0 : 0)];
    else fill = gridColor(g);
    return {fillColor: fill, fillOpacity: g == null ? 0.35 : (sel ? 0.85 : 0.62),
            color: sel ? "#000000" : (g == null ? "#9e9e9e" : "#ffffff"),
            weight: sel ? 3 : 0.7, opacity: 1, dashArray: g == null ? "3 3" : null};
  }
  function restyle(ids) {
    hhCache = totals();
    (ids || S.order).forEach(function (id) {
      var l = S.layers[id];
      if (!l) return;
      var st = styleOf(id), key = st.fillColor + st.fillOpacity + st.color + st.weight;
      if (l._peKey !== key) { l._peKey = key; l.setStyle(st); }  // untouched atoms cost nothing
    });
  }
  function repaintAfterChange(ids) {
    // in status mode a change recolours every atom of the grids touched: redraw all
    restyle(S.colorMode === "status" ? null : ids);
    schedulePanel();
  }

  function measure(t0, kind) {  // event time -> the frame that shows the change has been painted
    requestAnimationFrame(function () {
      var ch = new MessageChannel();
      ch.port1.onmessage = function () {
        var ms = performance.now() - t0;
        S.latency.push({kind: kind, ms: ms});
        var el = document.getElementById("pe-latency");
        if (el) el.textContent = L_("latency") + " " + ms.toFixed(0) + " ms";
      };
      ch.port2.postMessage(0);
    });
  }

  // ---------------------------------------------------------------- ops to Python
  var flushQueued = false;
  function send(op, effect) {
    op.seq = ++S.seq;
    S.queue.push({op: op, effect: effect || null});
    if (!flushQueued) {  // post after the frame that shows the change: the host page's work on
      flushQueued = true;  // the message (same main thread) must not delay the feedback
      requestAnimationFrame(function () { setTimeout(function () { flushQueued = false; flush(); }, 0); });
    }
    return op.seq;
  }
  function flush() {
    Streamlit.setComponentValue({sid: S.sid, seq: S.seq, ops: S.queue.map(function (q) { return q.op; })});
    syncBadge();
  }
  function applyEffect(effect) {
    if (!effect) return;
    Object.keys(effect).forEach(function (id) {
      if (effect[id] == null) delete S.assign[id]; else S.assign[id] = effect[id];
    });
  }
  function syncBadge() {
    var el = document.getElementById("pe-sync");
    if (!el) return;
    var pending = S.queue.some(function (q) { return q.op.op !== "select" && q.op.op !== "line"; });
    el.textContent = pending ? L_("syncing") : (S.serverMs != null ? L_("synced").replace("{ms}", S.serverMs.toFixed(0)) : "");
    el.className = pending ? "pending" : "synced";
    if (S.outlineLayer) S.outlineLayer.setStyle({opacity: pending ? 0.3 : 0.95});
  }

  // ---------------------------------------------------------------- strokes
  function paintTool() { return S.tool === "brush" || S.tool === "erase" || S.tool === "legacy"; }
  function startStroke(e) {
    S.stroke = {t0: e.originalEvent.timeStamp, before: {}, tool: S.tool, measured: false};
    strokeAt(e.latlng);
  }
  function strokeAt(latlng) {
    var st = S.stroke, ids;
    if (st.tool === "legacy") {
      var under = hits(latlng, 0)[0], lay = S.legacyLayer;
      if (under == null || !lay) return;
      var code = S.atoms[under].lg[lay];
      if (code == null) return;
      ids = S.order.filter(function (id) { return S.atoms[id].lg[lay] === code; });
    } else {
      ids = hits(latlng, BRUSH_RADII[S.size - 1]);
    }
    var target = st.tool === "erase" ? null : S.active;
    if (st.tool !== "erase" && (target == null || locked(target))) return;
    var changed = [];
    ids.forEach(function (id) {
      if (id in st.before) return;
      var cur = S.assign[id] == null ? null : S.assign[id];
      if (cur === target || locked(cur)) return;
      st.before[id] = cur;
      if (target == null) delete S.assign[id]; else S.assign[id] = target;
      changed.push(id);
      if (cur != null) S.touched.add(cur);
    });
    if (target != null && changed.length) S.touched.add(target);
    if (changed.length) {
      repaintAfterChange(changed);
      if (!st.measured) { st.measured = true; measure(st.t0, st.tool); }
    }
  }
  function finishStroke() {
    var st = S.stroke;
    S.stroke = null;
    if (!st) return;
    var ids = Object.keys(st.before);
    if (!ids.length) return;
    var target = st.tool === "erase" ? null : S.active, after = {};
    ids.forEach(function (id) { after[id] = target; });
    var op = target == null ? {op: "unassign_atoms", atoms: ids} : {op: "move_atoms", atoms: ids, to_grid: target};
    var seq = send(op, after);
    S.undo.push({seq: seq, before: st.before, after: after});
    S.redo = [];
    renderToolbarState();
  }
  function undo(t0) {
    var e = S.undo.pop();
    if (!e) { if (S.canUndo) send({op: "undo"}); return; }
    applyEffect(e.before);
    S.redo.push(e);
    send({op: "undo"}, e.before);
    repaintAfterChange(Object.keys(e.before));
    measure(t0 || performance.now(), "undo");
    renderToolbarState();
  }
  function redo(t0) {
    var e = S.redo.pop();
    if (!e) { if (S.canRedo) send({op: "redo"}); return; }
    applyEffect(e.after);
    S.undo.push(e);
    send({op: "redo"}, e.after);
    repaintAfterChange(Object.keys(e.after));
    measure(t0 || performance.now(), "redo");
    renderToolbarState();
  }

  // ---------------------------------------------------------------- selection, box, line
  var selTimer = null, selPending = false;
  function sendSelection() {
    clearTimeout(selTimer);
    selPending = true;
    selTimer = setTimeout(function () {
      selPending = false;
      S.queue = S.queue.filter(function (q) { return q.op.op !== "select"; });
      send({op: "select", atoms: Array.from(S.selection)});
    }, 250);
  }
  function toggleSelect(e) {
    var id = hits(e.latlng, 0)[0];
    if (id == null) return;
    if (S.selection.has(id)) S.selection.delete(id); else S.selection.add(id);
    restyle([id]);
    measure(e.originalEvent.timeStamp, "select");
    schedulePanel();
    sendSelection();
  }
  function boxSelect(a, b) {
    var w = Math.min(a.lng, b.lng), e = Math.max(a.lng, b.lng), s = Math.min(a.lat, b.lat), n = Math.max(a.lat, b.lat);
    var changed = [];
    S.order.forEach(function (id) {
      var c = S.atoms[id].center;
      if (c[0] >= w && c[0] <= e && c[1] >= s && c[1] <= n && !S.selection.has(id)) { S.selection.add(id); changed.push(id); }
    });
    if (changed.length) { restyle(changed); schedulePanel(); sendSelection(); }
  }
  // the lasso: a freehand ring drawn with the pointer; the atoms whose centre lies inside it join
  // the selection (the atoms' own ring test, in lon/lat)
  function lassoSelect(ring, t0) {
    if (ring.length < 3) return;
    var xy = ring.map(function (p) { return [p.lng, p.lat]; }), changed = [];
    S.order.forEach(function (id) {
      var c = S.atoms[id].center;
      if (!S.selection.has(id) && inRing(c[0], c[1], xy)) { S.selection.add(id); changed.push(id); }
    });
    if (changed.length) { restyle(changed); measure(t0, "lasso"); schedulePanel(); sendSelection(); }
  }
  function clearSelection() {
    var ids = Array.from(S.selection);
    S.selection.clear();
    restyle(ids);
    schedulePanel();
    sendSelection();
  }

  // ---------------------------------------------------------------- panel (balance + legend)
  var panelQueued = false;
  function schedulePanel() {
    if (panelQueued) return;
    panelQueued = true;
    requestAnimationFrame(function () { panelQueued = false; renderPanel(); updateLabels(); });
  }
  function chip(st) {
    return '<span class="chip" style="background:' + S.statusColors[st] + '">' + esc(L_("st_" + st)) + "</span>";
  }
  function bar(h) {
    var max = Math.max(S.band.max * 1.5, 1), lo = S.band.min / max * 100, hi = Math.min(S.band.max / max * 100, 100);
    var w = Math.min(h / max * 100, 100);
    return '<span class="bar"><span class="band" style="left:' + lo + "%;width:" + (hi - lo) + '%"></span>' +
      '<span class="fill" style="width:' + w + "%;background:" + S.statusColors[status(h)] + '"></span></span>';
  }
  function gridRow(code, t, showDelta) {
    var h = t[code] || 0, b = S.base[code] || 0, d = h - b;
    var delta = showDelta ? ' <span class="delta">' + fmt(b) + " → " + fmt(h) + "</span>" : "";
    return '<tr data-grid="' + esc(code) + '" class="' + (code === S.active ? "active" : "") + '">' +
      '<td><span class="sw" style="background:' + gridColor(code) + '"></span></td>' +
      '<td class="nm">' + esc(shortName(code)) + (locked(code) ? " 🔒" : "") + "</td>" +
      '<td class="hh" data-hh="' + Math.round(h) + '">' + fmt(h) + (showDelta && d ? ' <small>(' + (d > 0 ? "+" : "") + fmt(d) + ")</small>" : "") + "</td>" +
      "<td>" + bar(h) + "</td><td>" + chip(status(h)) + "</td></tr>" + (delta ? "" : "");
  }
  function renderPanel() {
    var t = hhCache || totals(), codes = S.gridOrder.filter(function (c) { return (t[c] || 0) > 0 || S.grids[c]; });
    var live = codes.filter(function (c) { return (t[c] || 0) > 0; });
    var sum = 0, counts = {under_min: 0, ok: 0, over_max: 0};
    live.forEach(function (c) { sum += t[c]; counts[status(t[c])] += 1; });
    var hs = live.map(function (c) { return t[c]; });
    var unassigned = S.order.filter(function (id) { return S.assign[id] == null; }).length;
    var html = [];
    html.push('<div class="sec"><div class="h">' + esc(L_("active")) + "</div>");
    html.push(S.active != null ? '<div class="activeg"><span class="sw big" style="background:' + gridColor(S.active) + '"></span>' +
      esc(shortName(S.active)) + " · " + fmt(t[S.active] || 0) + " " + esc(L_("hh_unit")) + " " + chip(status(t[S.active] || 0)) + "</div>"
      : '<div class="muted">' + esc(L_("pick_active")) + "</div>");
    html.push("</div>");
    html.push('<div class="sec" id="pe-community"><div class="h">' + esc(L_("community_balance")) + " · " + esc(S.communityName) + "</div>");
    html.push('<div class="kpis"><div><b data-k="households">' + fmt(sum) + "</b><span>" + esc(L_("households")) + "</span></div>" +
      '<div><b data-k="grids">' + live.length + "</b><span>" + esc(L_("grids")) + "</span></div>" +
      '<div><b data-k="in_band">' + counts.ok + "/" + live.length + "</b><span>" + esc(L_("in_band")) + "</span></div>" +
      "<div><b>" + (hs.length ? fmt(Math.min.apply(null, hs)) + "–" + fmt(Math.max.apply(null, hs)) : "–") + "</b><span>" + esc(L_("range")) + "</span></div></div>");
    html.push('<div class="counts">' + chip("under_min") + " " + counts.under_min + " &nbsp; " + chip("ok") + " " + counts.ok +
      " &nbsp; " + chip("over_max") + " " + counts.over_max + (unassigned ? ' &nbsp; <span class="warn">' + esc(L_("unassigned")) + " " + unassigned + "</span>" : "") + "</div>");
    html.push('<div class="muted">' + esc(L_("band")) + " " + fmt(S.band.min) + "–" + fmt(S.band.max) + " " + esc(L_("hh_unit")) + "</div></div>");
    var touched = Array.from(S.touched).filter(function (c) { return S.grids[c] || t[c]; });
    html.push('<div class="sec" id="pe-touched"><div class="h">' + esc(L_("touched")) + "</div>");
    if (touched.length) {
      html.push('<table class="grids">' + touched.map(function (c) { return gridRow(c, t, true); }).join("") + "</table>");
    } else html.push('<div class="muted">' + esc(L_("touched_none")) + "</div>");
    html.push("</div>");
    html.push('<div class="sec scroll" id="pe-all"><div class="h">' + esc(L_("all_grids")) + '</div><table class="grids">' +
      codes.map(function (c) { return gridRow(c, t, false); }).join("") + "</table></div>");
    var box = document.getElementById("pe-figures"), scroll = box.querySelector("#pe-all");
    var top = scroll ? scroll.scrollTop : 0;
    box.innerHTML = html.join("");
    var ns = box.querySelector("#pe-all");
    if (ns) ns.scrollTop = top;
    if (S.legendMode !== S.colorMode) {  // the legend changes only with the colouring
      S.legendMode = S.colorMode;
      document.getElementById("pe-legend-box").innerHTML = legendHtml();
    }
  }
  function legendHtml() {
    var sc = S.statusColors, rows = [];
    if (S.colorMode === "grid") rows.push(["fill", "linear-gradient(90deg," + S.fillSample.join(",") + ")", L_("lg_fill_grid")]);
    else {
      ["under_min", "ok", "over_max"].forEach(function (k) { rows.push(["fill", sc[k], L_("lg_fill_" + k)]); });
    }
    rows.push(["fill-dash", "#ffffff", L_("lg_unassigned")]);
    rows.push(["line", "#263238", L_("lg_outline")]);
    rows.push(["line-pale", "#263238", L_("lg_outline_pending")]);
    rows.push(["sel", "#000000", L_("lg_selected")]);
    rows.push(["dot", S.severityColors.error, L_("lg_issue_error")]);
    rows.push(["dot", S.severityColors.warning, L_("lg_issue_warning")]);
    rows.push(["bar", "", L_("lg_bar")]);
    rows.push(["brush", "", L_("lg_brush")]);
    return '<div class="sec legend" id="pe-legend"><div class="h">' + esc(L_("legend")) + "</div>" + rows.map(function (r) {
      var sym;
      if (r[0] === "fill") sym = '<span class="sym" style="background:' + r[1] + '"></span>';
      else if (r[0] === "fill-dash") sym = '<span class="sym dash"></span>';
      else if (r[0] === "line") sym = '<span class="sym line"></span>';
      else if (r[0] === "line-pale") sym = '<span class="sym line pale"></span>';
      else if (r[0] === "sel") sym = '<span class="sym sel"></span>';
      else if (r[0] === "dot") sym = '<span class="sym dot" style="background:' + r[1] + '"></span>';
      else if (r[0] === "bar") sym = bar(S.band.min + (S.band.max - S.band.min) / 2);
      else sym = '<span class="sym brushc"></span>';
      return '<div class="lrow' + (r[0] === "bar" ? " wide" : "") + '">' + sym + "<span>" + esc(r[2]) + "</span></div>";
    }).join("") + "</div>";
  }

  // ---------------------------------------------------------------- labels (declutter)
  function updateLabels() {  // grid labels in their own pane, placed greedily without collisions
    if (!S.labelPane) return;
    var t = hhCache || totals(), placed = [], size = S.map.getSize(), seen = {};
    var items = S.gridOrder.filter(function (c) { return S.grids[c] && S.grids[c].lat != null && (t[c] || 0) > 0; })
      .sort(function (a, b) { return (t[b] || 0) - (t[a] || 0); });
    items.forEach(function (c) {
      var g = S.grids[c], ll = [g.lat, g.lon], p = S.map.latLngToContainerPoint(ll);
      var text = g.short + " · " + fmt(t[c] || 0), w = text.length * 6.5 + 8, h = 16;
      var box = [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2], show = true;
      if (box[2] < 0 || box[0] > size.x || box[3] < 0 || box[1] > size.y) show = false;
      for (var i = 0; show && i < placed.length; i++) {
        var q = placed[i];
        if (box[0] < q[2] && box[2] > q[0] && box[1] < q[3] && box[3] > q[1]) show = false;  // collides: hide
      }
      var el = S.labelEls[c];
      if (!el) {
        el = document.createElement("span");
        el.className = "pe-label";
        el.setAttribute("data-grid", c);
        S.labelPane.appendChild(el);
        S.labelEls[c] = el;
      }
      seen[c] = true;
      el.style.display = show ? "" : "none";
      if (!show) return;
      placed.push(box);
      var lp = S.map.latLngToLayerPoint(ll);
      el.textContent = text;
      el.style.borderColor = S.statusColors[status(t[c] || 0)];
      el.style.transform = "translate(" + Math.round(lp.x - w / 2) + "px," + Math.round(lp.y - h / 2) + "px)";
    });
    Object.keys(S.labelEls).forEach(function (c) { if (!seen[c]) S.labelEls[c].style.display = "none"; });
  }

  // ---------------------------------------------------------------- toolbar
  var TOOLS = ["brush", "legacy", "erase", "select", "lasso", "line", "pan"];
  function renderToolbar() {
    var tb = document.getElementById("toolbar");
    var h = [];
    h.push('<span class="grp">' + TOOLS.map(function (k) {
      return '<button type="button" data-tool="' + k + '" title="' + esc(L_("tip_" + k)) + '">' + esc(L_("tool_" + k)) + "</button>";
    }).join("") + "</span>");
    h.push('<label class="grp" id="pe-size-wrap">' + esc(L_("size")) + ' <input id="pe-size" type="range" min="1" max="5" step="1" value="' + S.size + '"><b id="pe-size-val">' + S.size + "</b></label>");
    h.push('<label class="grp" id="pe-layer-wrap">' + esc(L_("legacy_layer")) + ' <select id="pe-layer"></select></label>');
    h.push('<label class="grp">' + esc(L_("active")) + ' <span id="pe-active-sw" class="sw"></span><select id="pe-active"></select></label>');
    h.push('<label class="grp">' + esc(L_("color_by")) + ' <select id="pe-color"><option value="grid">' + esc(L_("color_grid")) +
      '</option><option value="status">' + esc(L_("color_status")) + "</option></select></label>");
    h.push('<span class="grp"><button type="button" id="pe-undo" title="Ctrl+Z">↶ ' + esc(L_("undo")) + '</button>' +
      '<button type="button" id="pe-redo" title="Ctrl+Y">↷ ' + esc(L_("redo")) + '</button>' +
      '<button type="button" id="pe-clear">' + esc(L_("clear_selection")) + "</button></span>");
    h.push('<span class="grp status"><span id="pe-hover"></span> <span id="pe-latency"></span> <span id="pe-sync"></span></span>');
    tb.innerHTML = h.join("");
    tb.querySelectorAll("[data-tool]").forEach(function (b) {
      b.addEventListener("click", function () { setTool(b.getAttribute("data-tool")); });
    });
    document.getElementById("pe-size").addEventListener("input", function (e) { setSize(+e.target.value); });
    document.getElementById("pe-color").addEventListener("change", function (e) {
      S.colorMode = e.target.value; restyle(); renderPanel();
    });
    document.getElementById("pe-layer").addEventListener("change", function (e) { S.legacyLayer = e.target.value; });
    document.getElementById("pe-active").addEventListener("change", function (e) { setActive(e.target.value); });
    document.getElementById("pe-undo").addEventListener("click", function (e) { undo(e.timeStamp); });
    document.getElementById("pe-redo").addEventListener("click", function (e) { redo(e.timeStamp); });
    document.getElementById("pe-clear").addEventListener("click", clearSelection);
  }
  function renderToolbarState() {
    document.querySelectorAll("[data-tool]").forEach(function (b) {
      b.classList.toggle("on", b.getAttribute("data-tool") === S.tool);
    });
    document.getElementById("pe-size-wrap").style.display = (S.tool === "brush" || S.tool === "erase") ? "" : "none";
    document.getElementById("pe-layer-wrap").style.display = S.tool === "legacy" ? "" : "none";
    document.getElementById("pe-undo").disabled = !(S.undo.length || S.canUndo);
    document.getElementById("pe-redo").disabled = !(S.redo.length || S.canRedo);
    var sw = document.getElementById("pe-active-sw");
    sw.style.background = S.active != null ? gridColor(S.active) : "transparent";
    var mapEl = document.getElementById("map");
    mapEl.className = "tool-" + S.tool + (S.spaceDown ? " panning" : "");
    if (S.map) {
      if (S.tool === "pan" || S.spaceDown) S.map.dragging.enable(); else S.map.dragging.disable();
    }
    if (S.cursor) S.cursor.style.display = "none";
  }
  function fillSelects() {
    var sel = document.getElementById("pe-active");
    sel.innerHTML = S.gridOrder.map(function (c) {
      return '<option value="' + esc(c) + '"' + (c === S.active ? " selected" : "") + ">" + esc(shortName(c)) + (locked(c) ? " 🔒" : "") + "</option>";
    }).join("");
    var lay = document.getElementById("pe-layer");
    lay.innerHTML = (S.legacyLayers || []).map(function (l) {
      return '<option value="' + esc(l.key) + '"' + (l.key === S.legacyLayer ? " selected" : "") + ">" + esc(l.name) + "</option>";
    }).join("");
  }
  function setTool(k) { S.tool = k; cancelLine(); renderToolbarState(); }
  function setSize(n) {
    S.size = Math.max(1, Math.min(5, n));
    document.getElementById("pe-size").value = S.size;
    document.getElementById("pe-size-val").textContent = S.size;
  }
  function setActive(code) {
    if (!(code in S.grids)) return;
    S.active = code;
    document.getElementById("pe-active").value = code;
    renderToolbarState();
    schedulePanel();
  }

  // ---------------------------------------------------------------- line tool
  function cancelLine() { S.line = null; if (S.lineLayer) S.lineLayer.clearLayers(); }
  function lineClick(latlng) {
    if (!S.line) S.line = [];
    S.line.push([latlng.lng, latlng.lat]);
    S.lineLayer.clearLayers();
    L.polyline(S.line.map(function (p) { return [p[1], p[0]]; }), {color: S.severityColors.error, weight: 3, dashArray: "6 4", interactive: false}).addTo(S.lineLayer);
  }
  function finishLine() {
    if (S.line && S.line.length >= 2) {
      S.queue = S.queue.filter(function (q) { return q.op.op !== "line"; });
      send({op: "line", coords: S.line});
      toast(L_("line_sent"));
    }
    S.line = null;
  }

  var hoverQueued = null;
  function hoverAt(latlng) {  // what is under the pointer, once per frame
    var first = hoverQueued === null;
    hoverQueued = latlng;
    if (!first) return;
    requestAnimationFrame(function () {
      var id = hits(hoverQueued, 0)[0], el = document.getElementById("pe-hover");
      hoverQueued = null;
      if (!el) return;
      if (id == null) { el.textContent = ""; return; }
      var g = S.assign[id];
      el.textContent = L_("atom") + " " + id + " · " + (g == null ? L_("unassigned") : shortName(g)) + " · " +
        fmt(S.atoms[id].h) + " " + L_("hh_unit");
    });
  }

  function toast(text) {
    var el = document.getElementById("toast");
    el.textContent = text;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 4000);
  }

  // ---------------------------------------------------------------- map and events
  function initMap() {
    var map = L.map("map", {zoomControl: true, attributionControl: false, boxZoom: false, doubleClickZoom: false,
                            zoomSnap: 0.25, minZoom: 9, maxZoom: 20, keyboard: false});
    S.map = map;
    L.control.scale({imperial: false, metric: true, position: "bottomleft"}).addTo(map);  // metres only
    map.createPane("outlines").style.zIndex = 420;
    map.createPane("issues").style.zIndex = 430;
    map.createPane("drawing").style.zIndex = 440;
    map.getPane("outlines").style.pointerEvents = "none";
    map.getPane("issues").style.pointerEvents = "none";
    S.atomLayer = L.layerGroup().addTo(map);
    S.outlineLayer = L.geoJSON(null, {pane: "outlines", interactive: false,
                                      style: function () { return {color: "#263238", weight: 2.4, opacity: 0.95, fill: false}; }}).addTo(map);
    S.issueLayer = L.layerGroup().addTo(map);
    S.labelPane = map.createPane("labels");
    S.labelPane.style.zIndex = 450;
    S.labelPane.style.pointerEvents = "none";
    S.labelPane.classList.add("leaflet-zoom-hide");  // hidden while a zoom animates, placed again after
    S.labelEls = {};
    S.lineLayer = L.layerGroup().addTo(map);
    var cur = document.createElement("div");
    cur.className = "brush-cursor";
    document.getElementById("map").appendChild(cur);
    S.cursor = cur;
    var box = null, boxStart = null, downAt = null, lasso = null, lassoLine = null;
    map.on("mousedown", function (e) {
      if (e.originalEvent.button !== 0 || S.spaceDown || S.tool === "pan") return;
      document.getElementById("map").focus();
      if (paintTool()) { startStroke(e); return; }
      if (S.tool === "select") { downAt = e; boxStart = e.latlng; }
      if (S.tool === "lasso") {
        lasso = {ring: [e.latlng], last: e.containerPoint};
        lassoLine = L.polyline([e.latlng], {pane: "drawing", color: "#000", weight: 1.5, dashArray: "4 3", interactive: false}).addTo(map);
      }
    });
    map.on("mousemove", function (e) {
      if (paintTool() && !S.spaceDown) {
        var r = S.tool === "legacy" ? 6 : Math.max(BRUSH_RADII[S.size - 1], 4);
        cur.style.display = "block";
        cur.style.width = cur.style.height = 2 * r + "px";
        cur.style.left = e.containerPoint.x - r + "px";
        cur.style.top = e.containerPoint.y - r + "px";
        cur.style.borderColor = S.tool === "erase" ? "#616161" : gridColor(S.active);
      } else cur.style.display = "none";
      if (S.stroke) strokeAt(e.latlng);
      else hoverAt(e.latlng);
      if (lasso && lasso.last.distanceTo(e.containerPoint) > 4) {
        lasso.ring.push(e.latlng);
        lasso.last = e.containerPoint;
        lassoLine.setLatLngs(lasso.ring.concat([lasso.ring[0]]));
      }
      if (boxStart && downAt && downAt.containerPoint.distanceTo(e.containerPoint) > 6) {
        var bounds = L.latLngBounds(boxStart, e.latlng);
        if (!box) box = L.rectangle(bounds, {pane: "drawing", color: "#000", weight: 1, dashArray: "4 3", fillOpacity: 0.05, interactive: false}).addTo(map);
        else box.setBounds(bounds);
      }
    });
    map.on("mouseout", function () { cur.style.display = "none"; });
    map.on("mouseup", function (e) {
      if (S.tool === "select" && downAt) {
        if (box) { boxSelect(boxStart, e.latlng); map.removeLayer(box); box = null; }
        else toggleSelect(e);
        downAt = null; boxStart = null;
      }
      if (lasso) {
        lassoSelect(lasso.ring, e.originalEvent.timeStamp);
        map.removeLayer(lassoLine);
        lasso = null; lassoLine = null;
      }
      if (S.tool === "line" && !S.spaceDown) lineClick(e.latlng);
    });
    map.on("dblclick", function () { if (S.tool === "line") finishLine(); });
    map.on("contextmenu", function (e) {  // right click: pick the grid under the pointer as the brush's
      var id = hits(e.latlng, 0)[0];
      if (id != null && S.assign[id] != null) setActive(S.assign[id]);
    });
    map.on("zoomend moveend", function () { updateLabels(); });
    document.addEventListener("mouseup", finishStroke);
    // the toolbar wraps on a narrow frame and the map's box changes: Leaflet must learn its new
    // size, or clicks land on the atoms it thinks are under the pointer
    if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize({pan: false}); }).observe(document.getElementById("map"));
    document.addEventListener("keydown", onKey);
    document.addEventListener("keyup", function (e) { if (e.code === "Space") { S.spaceDown = false; renderToolbarState(); } });
    document.getElementById("panel").addEventListener("click", function (e) {
      var row = e.target.closest("tr[data-grid]");
      if (row) setActive(row.getAttribute("data-grid"));
    });
  }
  function onKey(e) {
    var k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && k === "z" && !e.shiftKey) { e.preventDefault(); undo(e.timeStamp); return; }
    if ((e.ctrlKey || e.metaKey) && (k === "y" || (k === "z" && e.shiftKey))) { e.preventDefault(); redo(e.timeStamp); return; }
    if (e.target && /^(INPUT|SELECT)$/.test(e.target.tagName) && e.target.type !== "range") return;
    if (e.code === "Space") { if (!S.spaceDown) { S.spaceDown = true; renderToolbarState(); } e.preventDefault(); return; }
    var map = {b: "brush", g: "legacy", e: "erase", s: "select", a: "lasso", l: "line", h: "pan"};
    if (map[k] && !e.ctrlKey && !e.metaKey) setTool(map[k]);
    else if (k === "[") setSize(S.size - 1);
    else if (k === "]") setSize(S.size + 1);
    else if (k === "enter" && S.tool === "line") finishLine();
    else if (k === "escape") { cancelLine(); }
  }

  // ---------------------------------------------------------------- render args from Python
  function loadStatic(stat) {
    var b = stat.bounds;  // the view first: Leaflet creates a layer's path only once the map has one
    if (b) S.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {padding: [10, 10]});
    else if (!S.map._loaded) S.map.setView([22.75, 113.93], 12);
    S.atomLayer.clearLayers();
    S.atoms = {}; S.order = []; S.layers = {};
    (stat.atoms.features || []).forEach(function (f) {
      var p = f.properties, polys = ringsOf(f.geometry), bb = bboxOf(polys);
      S.atoms[p.id] = {id: p.id, h: p.h || 0, lg: p.lg || {}, polys: polys, bbox: bb,
                       center: p.c || [(bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2]};
      S.order.push(p.id);
    });
    L.geoJSON(stat.atoms, {
      style: function (f) { return styleOf(f.properties.id); },
      onEachFeature: function (f, layer) { S.layers[f.properties.id] = layer; }
    }).eachLayer(function (layer) { S.atomLayer.addLayer(layer); });
    Object.keys(S.layers).forEach(function (id) {
      var path = S.layers[id]._path;
      if (path) { path.setAttribute("data-atom", id); path.classList.add("pe-atom"); }
    });
    S.staticKey = stat.key;
    S.undo = []; S.redo = []; S.queue = []; S.touched = new Set(); S.selection = new Set();
  }
  function applyState(st) {
    S.band = {min: st.band.min, max: st.band.max};
    S.statusColors = st.status_colors;
    S.severityColors = st.severity_colors;
    S.fillSample = st.fill_sample;
    S.communityName = st.community_name || "";
    S.grids = {}; S.gridOrder = [];
    st.grids.forEach(function (g) { S.grids[g.code] = g; S.gridOrder.push(g.code); });
    S.base = st.base || {};
    S.legacyLayers = st.legacy_layers || [];
    if (S.legacyLayer == null && S.legacyLayers.length) S.legacyLayer = S.legacyLayers[0].key;
    S.canUndo = !!st.can_undo; S.canRedo = !!st.can_redo;
    S.serverMs = st.server_ms == null ? null : st.server_ms;
    S.serverTimes = st.server_times || [];
    // acknowledged and refused ops
    var ack = st.ack && st.ack.sid === S.sid ? st.ack.seq : 0;
    (st.rejected || []).forEach(function (r) {
      if (r.sid !== S.sid || r.seq <= S.rejectedSeen) return;
      S.rejectedSeen = r.seq;
      S.undo = S.undo.filter(function (u) { return u.seq !== r.seq; });
      S.redo = S.redo.filter(function (u) { return u.seq !== r.seq; });
      toast(r.message);
    });
    if (st.ext_rev !== S.extRev) {  // the plan changed outside the map (buttons, save, reload)
      if (S.extRev !== null) { S.undo = []; S.redo = []; }
      S.extRev = st.ext_rev;
    }
    S.queue = S.queue.filter(function (q) { return q.op.seq > ack; });
    var before = S.assign;
    S.assign = Object.assign({}, st.assign);
    S.queue.forEach(function (q) { applyEffect(q.effect); });
    if (S.stroke) {
      var tgt = S.stroke.tool === "erase" ? null : S.active;
      Object.keys(S.stroke.before).forEach(function (id) { if (tgt == null) delete S.assign[id]; else S.assign[id] = tgt; });
    }
    if (Array.isArray(st.selection) && !S.queue.some(function (q) { return q.op.op === "select"; }) && !selTimer_pending()) {
      S.selection = new Set(st.selection.filter(function (id) { return id in S.atoms; }));
    }
    if (S.active == null || !(S.active in S.grids)) S.active = st.active in S.grids ? st.active : S.gridOrder[0];
    void before;
    restyle();  // grid colours and statuses may have changed too: redraw every atom
    S.outlineLayer.clearLayers();
    if (st.outlines) S.outlineLayer.addData(st.outlines);
    S.issueLayer.clearLayers();
    (st.issues || []).forEach(function (i) {
      L.circleMarker([i.lat, i.lon], {pane: "issues", radius: 7, color: S.severityColors[i.severity === "error" ? "error" : "warning"],
                                      weight: 2, fillOpacity: 0.35, interactive: false}).addTo(S.issueLayer);
    });
    if (st.view && st.view.nonce !== S.viewNonce) {
      S.viewNonce = st.view.nonce;
      S.map.setView([st.view.lat, st.view.lon], st.view.zoom);
    }
    fillSelects();
    renderToolbarState();
    syncBadge();
    renderPanel();
    updateLabels();
  }
  function selTimer_pending() { return selPending; }

  S.fn = {renderPanel: function () { renderPanel(); }, updateLabels: function () { updateLabels(); },
          restyle: function (ids) { restyle(ids); }, totals: totals};  // for profiling from a test
  var started = false;
  Streamlit.onRender(function (args) {
    var labelsKey = JSON.stringify(args.labels || {});
    S.labels = args.labels || {};
    if (!started) {
      started = true;
      // fill the frame: its height is args.height unless the page stretches it (gridgeo_app.screen)
      document.getElementById("app").style.height = "100vh";
      initMap();
    }
    if (labelsKey !== S.labelsKey) {  // first render or the language changed: redraw the controls
      S.labelsKey = labelsKey;
      renderToolbar();
      document.getElementById("pe-color").value = S.colorMode;
      setSize(S.size);
      S.legendMode = null;
    }
    if (args.static && args.static.key !== S.staticKey) loadStatic(args.static);
    if (args.state) applyState(args.state);
    Streamlit.setFrameHeight((args.height || 720) + 4);
  });
  Streamlit.ready();
})();
