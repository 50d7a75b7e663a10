/* Geofences on the map: the drawing tools (polygon, circle) that hand the drawn shape to Python
   as GeoJSON, and the layer that shows the fences Python sends. */
(function () {
  'use strict';
  var C = window.CEDC = window.CEDC || {};
  var SEVERITY_COLOURS = ['#0ea5e9', '#2563eb', '#f59e0b', '#dc2626'];
  var CLOSE_PX = 10;

  function displayLatLng(lat, lon) {
    var d = C.coords.toDisplay(lat, lon);
    return L.latLng(d[0], d[1]);
  }

  // ------------------------------------------------------------------ fences layer
  C.Fences = function (map) {
    this.map = map;
    this.layer = L.featureGroup();
    this.drafts = L.featureGroup();
    this.group = L.layerGroup([this.layer, this.drafts]);
    this.count = 0;
  };
  /** Draw a FeatureCollection of fences (WGS-84): Polygons, and Points with radius_m. */
  C.Fences.prototype.set = function (fc) {
    var self = this;
    this.layer.clearLayers();
    this.drafts.clearLayers();
    this.count = 0;
    ((fc && fc.features) || []).forEach(function (f) {
      var p = f.properties || {}, g = f.geometry || {};
      var colour = SEVERITY_COLOURS[p.severity === undefined ? 2 : p.severity] || '#f59e0b';
      var style = { color: colour, weight: 2, fillOpacity: 0.12, pane: 'cedcFences' };
      var shape = null;
      if (g.type === 'Polygon') {
        shape = L.polygon(g.coordinates.map(function (ring) {
          return ring.map(function (c) { return displayLatLng(c[1], c[0]); });
        }), style);
      } else if (g.type === 'Point' && p.radius_m > 0) {
        style.radius = p.radius_m;
        shape = L.circle(displayLatLng(g.coordinates[1], g.coordinates[0]), style);
      }
      if (!shape) return;
      var label = (p.name || C.t('fence')) + ' · ' + C.t('severity_' + (p.severity === undefined ? 2 : p.severity));
      shape.bindTooltip(label, { sticky: true, className: 'cedc-fence-tip' });
      self.layer.addLayer(shape);
      self.count++;
    });
  };

  // ------------------------------------------------------------------ drawing
  C.Draw = function (map, fences) {
    this.map = map;
    this.fences = fences;
    this.mode = null;
    this.pts = [];
    this.center = null;
    this.preview = L.layerGroup().addTo(map);
    this.hint = C.el('div', 'cedc-hint');
    this.hint.style.display = 'none';
    map.getContainer().appendChild(this.hint);
    var self = this;
    map.on('click', function (ev) { if (self.mode) self._click(ev.latlng); });
    map.on('dblclick', function (ev) {
      if (self.mode === 'polygon') { L.DomEvent.stop(ev); self._finishPolygon(); }
    });
    map.on('mousemove', function (ev) { if (self.mode) self._move(ev.latlng); });
    document.addEventListener('keydown', function (ev) {
      if (!self.mode) return;
      if (ev.key === 'Escape') self.cancel();
      if (ev.key === 'Backspace' && self.mode === 'polygon') { self.pts.pop(); self._render(null); }
    });
  };
  C.Draw.prototype.start = function (mode) {
    this.cancel();
    if (mode !== 'polygon' && mode !== 'circle') return;
    this.mode = mode;
    this.map.doubleClickZoom.disable();
    L.DomUtil.addClass(this.map.getContainer(), 'cedc-drawing');
    this.hint.textContent = C.t(mode === 'polygon' ? 'draw_hint_polygon' : 'draw_hint_circle');
    this.hint.style.display = 'block';
    if (C.menu) C.menu.hide();
    if (C.tooltip) C.tooltip.hide();
  };
  C.Draw.prototype.cancel = function () {
    this.mode = null;
    this.pts = [];
    this.center = null;
    this.preview.clearLayers();
    this.map.doubleClickZoom.enable();
    L.DomUtil.removeClass(this.map.getContainer(), 'cedc-drawing');
    this.hint.style.display = 'none';
  };
  C.Draw.prototype._click = function (ll) {
    if (this.mode === 'polygon') {
      if (this.pts.length >= 3) {
        var first = this.map.latLngToContainerPoint(this.pts[0]);
        if (first.distanceTo(this.map.latLngToContainerPoint(ll)) <= CLOSE_PX) {
          this._finishPolygon();
          return;
        }
      }
      var last = this.pts[this.pts.length - 1];
      if (!last || this.map.latLngToContainerPoint(last)
        .distanceTo(this.map.latLngToContainerPoint(ll)) > 2) this.pts.push(ll);
      this._render(ll);
    } else if (this.mode === 'circle') {
      if (!this.center) { this.center = ll; this._render(ll); return; }
      var radius = this.map.distance(this.center, ll);
      if (radius > 0) this._finishCircle(this.center, radius);
    }
  };
  C.Draw.prototype._move = function (ll) { this._render(ll); };
  C.Draw.prototype._render = function (cursor) {
    var style = { color: '#0f172a', weight: 2, dashArray: '6 4', fillOpacity: 0.08,
                  interactive: false, pane: 'cedcFences' };
    this.preview.clearLayers();
    if (this.mode === 'polygon' && this.pts.length) {
      var pts = cursor ? this.pts.concat([cursor]) : this.pts;
      this.preview.addLayer(pts.length >= 3 ? L.polygon(pts, style) : L.polyline(pts, style));
      var self = this;
      this.pts.forEach(function (p) {
        self.preview.addLayer(L.circleMarker(p, { radius: 4, color: '#0f172a', weight: 2,
          fillColor: '#ffffff', fillOpacity: 1, interactive: false, pane: 'cedcFences' }));
      });
    } else if (this.mode === 'circle' && this.center) {
      var r = cursor ? this.map.distance(this.center, cursor) : 0;
      style.radius = Math.max(r, 1);
      this.preview.addLayer(L.circle(this.center, style));
      if (r > 0) this.hint.textContent = C.t('radius_m', { n: Math.round(r) });
    }
  };
  C.Draw.prototype._finishPolygon = function () {
    var pts = this.pts.slice();
    if (pts.length < 3) return;
    var ring = pts.map(function (p) { return [p.lng, p.lat]; });
    ring.push(ring[0]);
    this._emit({ type: 'Feature', properties: { shape: 'polygon' },
                 geometry: { type: 'Polygon', coordinates: [ring] } },
               L.polygon(pts, { color: '#0f172a', weight: 2, dashArray: '4 4', pane: 'cedcFences' }));
  };
  C.Draw.prototype._finishCircle = function (center, radius) {
    this._emit({ type: 'Feature', properties: { shape: 'circle', radius_m: Math.round(radius * 10) / 10 },
                 geometry: { type: 'Point', coordinates: [center.lng, center.lat] } },
               L.circle(center, { radius: radius, color: '#0f172a', weight: 2, dashArray: '4 4',
                                  pane: 'cedcFences' }));
  };
  C.Draw.prototype._emit = function (feature, draft) {
    this.cancel();
    this.fences.drafts.addLayer(draft);
    C.post({ type: 'shape', geojson: feature, crs: 'display' });
  };

  C.DrawControl = L.Control.extend({
    options: { position: 'topleft' },
    onAdd: function () {
      var bar = C.el('div', 'leaflet-bar cedc-draw');
      var draw = C.draw;
      function button(cls, title, fn) {
        var a = C.el('a', cls);
        a.href = '#';
        a.title = title;
        a.setAttribute('role', 'button');
        a.setAttribute('aria-label', title);
        L.DomEvent.on(a, 'click', function (ev) { L.DomEvent.stop(ev); fn(); });
        bar.appendChild(a);
      }
      button('cedc-draw-polygon', C.t('draw_polygon'), function () { draw.start('polygon'); });
      button('cedc-draw-circle', C.t('draw_circle'), function () { draw.start('circle'); });
      button('cedc-draw-cancel', C.t('draw_cancel'), function () { draw.cancel(); });
      L.DomEvent.disableClickPropagation(bar);
      return bar;
    }
  });
}());
