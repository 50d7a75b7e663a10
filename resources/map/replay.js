/* Track replay: Python loads the tracks once and then moves the replay clock; the page draws each
   unit's path (faint ahead, solid behind) and its interpolated position at that time. */
(function () {
  'use strict';
  var C = window.CEDC = window.CEDC || {};
  var PALETTE = ['#e11d48', '#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04',
                 '#db2777', '#4f46e5', '#65a30d'];

  function Track(id, label, colour, flat) {
    var n = Math.floor(flat.length / 3);
    this.id = id;
    this.label = label;
    this.colour = colour;
    this.n = n;
    this.t = new Float64Array(n);
    this.lat = new Float64Array(n);
    this.lon = new Float64Array(n);
    this.wx = new Float64Array(n);
    this.wy = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      this.t[i] = flat[3 * i];
      this.lat[i] = flat[3 * i + 1];
      this.lon[i] = flat[3 * i + 2];
      var d = C.coords.toDisplay(this.lat[i], this.lon[i]);
      this.wx[i] = C.mercX(d[1]);
      this.wy[i] = C.mercY(d[0]);
    }
  }
  /** Index of the last fix at or before T (-1 before the first). */
  Track.prototype.index = function (T) {
    var lo = 0, hi = this.n - 1, ans = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (this.t[mid] <= T) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  };
  /** Interpolated position at T: {lat, lon, wx, wy, i} or null before the first fix. */
  Track.prototype.at = function (T) {
    var i = this.index(T);
    if (i < 0) return null;
    if (i >= this.n - 1) {
      return { lat: this.lat[i], lon: this.lon[i], wx: this.wx[i], wy: this.wy[i], i: i };
    }
    var u = (T - this.t[i]) / (this.t[i + 1] - this.t[i]);
    return { lat: this.lat[i] + (this.lat[i + 1] - this.lat[i]) * u,
             lon: this.lon[i] + (this.lon[i + 1] - this.lon[i]) * u,
             wx: this.wx[i] + (this.wx[i + 1] - this.wx[i]) * u,
             wy: this.wy[i] + (this.wy[i + 1] - this.wy[i]) * u, i: i };
  };

  C.replay = {
    active: false, tracks: [], t: 0, t0: 0, t1: 0, legend: null,

    load: function (msg) {
      var self = this;
      this.tracks = Object.keys(msg.tracks).map(function (id, k) {
        var unit = C.store.get('unit', id);
        var label = (msg.labels && msg.labels[id]) || (unit && unit.f.call_sign) || id;
        return new Track(id, label, PALETTE[k % PALETTE.length],
                         msg.tracks[id]);
      });
      this.t0 = msg.t0;
      this.t1 = msg.t1;
      this.t = msg.t0;
      this.active = true;
      this._legend();
      var b = null;
      this.tracks.forEach(function (tr) {
        for (var i = 0; i < tr.n; i++) {
          var d = C.coords.toDisplay(tr.lat[i], tr.lon[i]);
          b = b ? b.extend(L.latLng(d[0], d[1])) : L.latLngBounds([d, d]);
        }
      });
      if (b && b.isValid()) C.map.fitBounds(b.pad(0.15), { maxZoom: 16, animate: false });
      self.redraw();
    },
    setTime: function (t) { this.t = t; this.redraw(); },
    stop: function () {
      this.active = false;
      this.tracks = [];
      if (this.legend) this.legend.style.display = 'none';
      this.redraw();
    },
    redraw: function () { if (C.renderer) C.renderer.redraw(); },
    /** {active, t, positions: {id: [lat, lon] | null}} (WGS-84) */
    state: function () {
      var pos = {}, T = this.t;
      this.tracks.forEach(function (tr) {
        var p = tr.at(T);
        pos[tr.id] = p ? [p.lat, p.lon] : null;
      });
      return { active: this.active, t: this.t, positions: pos };
    },
    _legend: function () {
      if (!this.legend) {
        this.legend = C.el('div', 'cedc-replay-legend');
        L.DomEvent.disableClickPropagation(this.legend);
        C.map.getContainer().appendChild(this.legend);
      }
      var box = this.legend;
      box.textContent = '';
      box.appendChild(C.el('div', 'cedc-legend-sec', C.t('replay')));
      this.tracks.forEach(function (tr) {
        var row = C.el('div', 'cedc-legend-row');
        var sw = C.el('span', 'cedc-swatch');
        sw.style.background = tr.colour;
        row.appendChild(sw);
        row.appendChild(C.el('span', null, tr.label));
        box.appendChild(row);
      });
      box.style.display = 'block';
    },
    /** Renderer overlay, under the symbols: each track's path, faint ahead, solid behind. */
    drawUnder: function (ctx, v) {
      if (!this.active) return;
      var T = this.t;
      ctx.lineJoin = 'round';
      ctx.lineCap = 'round';
      for (var k = 0; k < this.tracks.length; k++) {
        var tr = this.tracks[k], p = tr.at(T), i;
        if (tr.n > 1) {
          ctx.beginPath();
          for (i = 0; i < tr.n; i++) {
            var x = tr.wx[i] * v.S - v.ox, y = tr.wy[i] * v.S - v.oy;
            if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
          }
          ctx.globalAlpha = 0.3;
          ctx.lineWidth = 2;
          ctx.strokeStyle = tr.colour;
          ctx.stroke();
          ctx.globalAlpha = 1;
        }
        if (!p) continue;
        ctx.beginPath();
        ctx.moveTo(tr.wx[0] * v.S - v.ox, tr.wy[0] * v.S - v.oy);
        for (i = 1; i <= p.i; i++) ctx.lineTo(tr.wx[i] * v.S - v.ox, tr.wy[i] * v.S - v.oy);
        ctx.lineTo(p.wx * v.S - v.ox, p.wy * v.S - v.oy);
        ctx.lineWidth = 3.5;
        ctx.strokeStyle = tr.colour;
        ctx.stroke();
      }
    },
    /** Renderer overlay, on top: where each unit is at the replay time, with its name. */
    drawOver: function (ctx, v) {
      if (!this.active) return;
      for (var k = 0; k < this.tracks.length; k++) {
        var tr = this.tracks[k], p = tr.at(this.t);
        if (!p) continue;
        var px = p.wx * v.S - v.ox, py = p.wy * v.S - v.oy;
        ctx.beginPath();
        ctx.arc(px, py, 7, 0, 2 * Math.PI);
        ctx.fillStyle = tr.colour;
        ctx.fill();
        ctx.lineWidth = 2.5;
        ctx.strokeStyle = '#ffffff';
        ctx.stroke();
        ctx.font = 'bold 12px "Noto Sans CJK SC", sans-serif';
        ctx.textAlign = 'left';
        ctx.textBaseline = 'middle';
        ctx.lineWidth = 3;
        ctx.strokeStyle = 'rgba(255,255,255,0.92)';
        ctx.strokeText(tr.label, px + 11, py);
        ctx.fillStyle = tr.colour;
        ctx.fillText(tr.label, px + 11, py);
      }
    }
  };
}());
