"""Time playback (as in Kepler.gl): areas coloured by their risk level at each moment and the
events reported shortly before it, with a time slider and a play button, all in the browser.

The page computes the risk timeline (gridgeo.analysis.risk.risk_timeline); this layer ships it as one
compact JSON (one string of level digits per moment) and a small script that restyles the
polygons when the slider moves. Offline: plain Leaflet, nothing else to load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from gridgeo.palette import (
    AREA_LINE_DARK,
    INK,
    INK_DARK,
    PLAYBACK_DOT_LINE,
    PLAYBACK_DOT_LINE_DARK,
    PLAYBACK_LINE,
    RISK_COLORS,
)
from gridgeo_app.layers.polygons import geojson_data


class Playback(MacroElement):
    """The playback layer and its control (slider, play/pause, the moment shown)."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          .gg-playback { background: {{ this.bg }}; color: {{ this.fg }}; padding: 0.4em 0.7em; border-radius: 6px;
            font-size: {{ this.font_css }}; display: flex; align-items: center; gap: 0.6em;
            box-shadow: 0 1px 4px rgba(0,0,0,.35); font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
          .gg-playback button { font-size: 1em; min-width: 4.2em; padding: 0.15em 0.5em; cursor: pointer; }
          .gg-playback input[type=range] { width: 22em; max-width: 40vw; }
          .gg-playback .gg-pb-time { font-weight: 700; min-width: 7.5em; font-variant-numeric: tabular-nums; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }}, d = {{ this.data_json }};
          var polys = [];
          var layer = L.geoJson(d.geo, {interactive: false, style: function () {
            return {color: d.line, weight: 0.6, fillColor: d.colors[0], fillOpacity: d.none_opacity}; }});
          layer.eachLayer(function (l) { polys[l.feature.properties.i] = l; });
          layer.addTo(map);
          var dots = L.layerGroup().addTo(map);
          var step = d.start, timer = null;
          var ctl = L.control({position: "{{ this.position }}"});
          var slider, label, button;
          ctl.onAdd = function () {
            var div = L.DomUtil.create("div", "gg-playback");
            div.innerHTML = '<button type="button" class="gg-pb-play"></button>' +
              '<input class="gg-pb-slider" type="range" min="0" max="' + (d.labels.length - 1) + '" step="1">' +
              '<span class="gg-pb-time"></span>';
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            button = div.querySelector("button"); slider = div.querySelector("input"); label = div.querySelector(".gg-pb-time");
            slider.addEventListener("input", function () { stop(); show(+slider.value); });
            button.addEventListener("click", function () { if (timer) { stop(); } else { play(); } });
            return div;
          };
          ctl.addTo(map);
          function show(k) {
            step = k;
            var s = d.levels[k];
            for (var i = 0; i < polys.length; i++) {
              var lv = +s.charAt(i);
              polys[i].setStyle({fillColor: d.colors[lv], fillOpacity: lv ? d.opacity : d.none_opacity});
            }
            dots.clearLayers();
            d.ev.forEach(function (e) {
              if (e[3] <= k && e[3] > k - d.window) {
                L.circleMarker([e[0], e[1]], {radius: d.radius, color: d.dot_line, weight: 1, fillColor: d.colors[e[2]],
                  fillOpacity: 0.95, interactive: false}).addTo(dots);
              }
            });
            slider.value = k; label.textContent = d.labels[k];
            map.getContainer().setAttribute("data-playback-step", k);
          }
          function play() {
            button.textContent = d.pause;
            timer = setInterval(function () {
              if (step >= d.labels.length - 1) { if (d.loop) { show(0); } else { stop(); } } else { show(step + 1); }
            }, d.interval_ms);
          }
          function stop() { if (timer) { clearInterval(timer); timer = null; } button.textContent = d.play; }
          button.textContent = d.play;
          show(d.start);
          if (d.autoplay) { play(); }
          window.ggPlayback = {show: show, play: play, stop: stop, steps: d.labels.length};
        })();
        {% endmacro %}
    """)

    def __init__(self, data: dict, position: str = "bottomleft", dark: bool = False, font_css: str = "14px"):
        super().__init__()
        self._name = "Playback"
        self.data_json = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        self.position = position
        self.font_css = font_css
        self.bg, self.fg = ("rgba(11,22,38,0.9)", INK_DARK) if dark else ("rgba(255,255,255,0.95)", INK)


@dataclass(frozen=True)
class PlaybackControls:
    """How a playback plays: the labels of its button (``play``/``pause``, from the catalogue),
    how many moments an event stays shown (``window_steps``), autoplay and loop, the pace
    (``interval_ms`` per moment) and the moment shown first (``start``; None: the last)."""

    play: str
    pause: str
    window_steps: int = 4
    autoplay: bool = False
    loop: bool = True
    interval_ms: int = 700
    start: int | None = None


def playback_data(areas: gpd.GeoDataFrame, timeline: pd.DataFrame, events: pd.DataFrame, labels: list[str],
                  controls: PlaybackControls, *, none_color: str | None = None, dark: bool = False) -> dict:
    """The JSON the playback script reads.

    ``timeline`` is gridgeo.analysis.risk.risk_timeline's frame (area code x moment); only areas that are
    ever at risk are shipped (the others keep the map's own "no open cases" colour, ``none_color``
    on the wall). ``events`` need lon, lat, level and ``step`` (the index of the first moment at or
    after their report); each shows for ``controls.window_steps`` moments.
    """
    ever = timeline.index[(timeline.to_numpy() > 0).any(axis=1)]
    shipped = areas[areas["code"].astype(str).isin(ever)].copy()
    shipped["i"] = np.arange(len(shipped))
    levels = timeline.loc[shipped["code"].astype(str)].to_numpy().clip(0, 4)
    per_step = ["".join(str(int(v)) for v in levels[:, k]) for k in range(levels.shape[1])]
    ev = events[events["step"] < len(labels)] if len(events) else events
    ev_rows = [[round(float(r.lat), 5), round(float(r.lon), 5), int(r.level), int(r.step)] for r in ev.itertuples()]
    colors = {**{str(k): v for k, v in RISK_COLORS.items()}}
    if none_color:
        colors["0"] = none_color
    return {
        "geo": geojson_data(shipped, ["i"]), "levels": per_step, "labels": labels, "ev": ev_rows,
        "colors": colors, "window": int(controls.window_steps), "autoplay": bool(controls.autoplay),
        "loop": bool(controls.loop), "interval_ms": int(controls.interval_ms), "play": controls.play,
        "pause": controls.pause, "start": int(len(labels) - 1 if controls.start is None else controls.start),
        "opacity": 1.0 if dark else 0.65, "none_opacity": 1.0 if dark else 0.65,
        "line": AREA_LINE_DARK if dark else PLAYBACK_LINE, "dot_line": PLAYBACK_DOT_LINE_DARK if dark else PLAYBACK_DOT_LINE,
        "radius": 5,
    }
