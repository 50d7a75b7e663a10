/* The one map: start-up, the web channel to Python, base map, districts, layers and input.
   Python -> page: JSON messages on bridge.push (see widgets/map/view.py for the list).
   Page -> Python: JSON messages through bridge.post(text). */
(function () {
  'use strict';
  var C = window.CEDC = window.CEDC || {};
  // seconds since the epoch by the console's clock (the page's own clock is not the console's)
  if (!C.now) C.now = function () { return Date.now() / 1000 + (C.clockOffsetS || 0); };
  var MIN_ZOOM = 8;

  C.stats = { batches: 0, applyMs: [], drawMs: [], frameMs: [], lastApplyMs: 0, lastDrawMs: 0, seq: 0,
              measureFrames: false };
  C.selection = null;
  var outbox = [];

  /** Send a message to Python (queued until the channel is up). */
  C.post = function (msg) {
    var text = JSON.stringify(msg);
    if (C.bridge) C.bridge.post(text); else outbox.push(text);
  };

  window.addEventListener('error', function (ev) {
    C.post({ type: 'error', message: String(ev.message) + ' (' + (ev.filename || '') + ':' +
             (ev.lineno || 0) + ')' });
  });
  window.addEventListener('unhandledrejection', function (ev) {
    C.post({ type: 'error', message: 'unhandled rejection: ' + String(ev.reason) });
  });
  document.addEventListener('contextmenu', function (ev) { ev.preventDefault(); });

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function displayLatLng(lat, lon) {
    var d = C.coords.toDisplay(lat, lon);
    return L.latLng(d[0], d[1]);
  }
  C.displayLatLng = displayLatLng;

  // ------------------------------------------------------------------ layers
  /** A stand-in layer whose presence on the map switches one renderer layer on. */
  var Toggle = L.Layer.extend({
    initialize: function (what) { this.what = what; },
    onAdd: function () { C.renderer.setVisible(this.what, true); if (C.pulses) C.pulses.sync(C.store); },
    onRemove: function () { C.renderer.setVisible(this.what, false); if (C.pulses) C.pulses.sync(C.store); }
  });

  function setupTiles(map, cfg) {
    var t = cfg.tiles;
    if (t.mode === 'none') return null;
    var opts = { maxZoom: t.maxZoom || 18, attribution: t.attribution || '',
                 subdomains: t.subdomains || 'abc', crossOrigin: false };
    var layer = L.tileLayer(t.url, opts);
    layer.addTo(map);
    return layer;
  }

  // ------------------------------------------------------------------ districts
  function ringCentroid(ring) {
    var a = 0, x = 0, y = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f;
      x += (ring[j][0] + ring[i][0]) * f;
      y += (ring[j][1] + ring[i][1]) * f;
    }
    if (a === 0) return [ring[0][0], ring[0][1], 0];
    return [x / (3 * a), y / (3 * a), Math.abs(a / 2)];
  }
  function labelPoint(geom) {
    var polys = geom.type === 'MultiPolygon' ? geom.coordinates : [geom.coordinates];
    var best = null;
    polys.forEach(function (p) {
      var c = ringCentroid(p[0]);
      if (!best || c[2] > best[2]) best = c;
    });
    return best ? displayLatLng(best[1], best[0]) : null;
  }

  C.setDistricts = function (fc, jurisdiction) {
    var group = C.districtGroup;
    group.clearLayers();
    var own = jurisdiction || null;
    C.districtInfo = { count: 0, jurisdiction: own, labels: [], weights: {} };
    var renderer = C.districtRenderer;
    var geo = L.geoJSON(fc, {
      renderer: renderer,
      interactive: false,
      coordsToLatLng: function (c) { return displayLatLng(c[1], c[0]); },
      style: function (f) {
        var code = String(f.properties.adcode);
        var s;
        if (!own) s = { color: '#64748b', weight: 1.5, fillColor: '#ffffff', fillOpacity: 0.55 };
        else if (code === own) s = { color: '#1d4ed8', weight: 3, fillColor: '#dbeafe', fillOpacity: 0.5 };
        else s = { color: '#94a3b8', weight: 1, fillColor: '#e2e8f0', fillOpacity: 0.45 };
        if (C.tileLayer) s.fillOpacity = code === own ? 0.12 : (own ? 0.25 : 0.04);
        C.districtInfo.weights[code] = s.weight;
        return s;
      }
    });
    group.addLayer(geo);
    var ownBounds = null;
    (fc.features || []).forEach(function (f) {
      var code = String(f.properties.adcode), ll = labelPoint(f.geometry);
      C.districtInfo.count++;
      C.districtInfo.labels.push(f.properties.name);
      if (!ll) return;
      var cls = 'cedc-district-label' + (code === own ? ' cedc-own' : '');
      group.addLayer(L.marker(ll, { pane: 'cedcLabels', interactive: false, keyboard: false,
        icon: L.divIcon({ className: cls, html: '<span>' + escapeHtml(f.properties.name) +
                          '</span>', iconSize: null }) }));
    });
    geo.eachLayer(function (layer) {
      if (own && String(layer.feature.properties.adcode) === own) ownBounds = layer.getBounds();
    });
    C.fitDistricts = function () {
      var b = ownBounds || geo.getBounds();
      if (b.isValid()) C.map.fitBounds(b, { padding: [12, 12], animate: false });
    };
    C.fitDistricts();
  };

  // ------------------------------------------------------------------ selection & focus
  C.userSelect = function (kind, id) {
    C.selection = { kind: kind, id: id };
    C.renderer.redraw();
    C.post({ type: 'select', kind: kind, id: id });
  };
  C.focusEntity = function (kind, id, zoom) {
    var e = C.store.get(kind, String(id));
    if (!e || !e.has) return false;
    C.map.setView(displayLatLng(e.lat, e.lon), Math.max(zoom || 0, C.map.getZoom()),
                  { animate: false });
    return true;
  };

  // ------------------------------------------------------------------ input
  function setupInput(map) {
    var r = C.renderer;
    map.on('mousemove', function (ev) {
      if (C.draw.mode) return;
      var hit = r.hitTest(ev.containerPoint);
      if (hit) {
        C.tooltip.show(hit, ev.containerPoint);
        map.getContainer().style.cursor = 'pointer';
      } else {
        C.tooltip.hide();
        map.getContainer().style.cursor = '';
      }
    });
    map.on('mouseout movestart zoomstart', function () { C.tooltip.hide(); });
    map.on('click', function (ev) {
      if (C.draw.mode) return;
      var hit = r.hitTest(ev.containerPoint);
      if (!hit) return;
      if (hit.cluster) {
        var b = L.latLngBounds(hit.members.map(function (e) { return displayLatLng(e.lat, e.lon); }));
        map.fitBounds(b.pad(0.3), { maxZoom: C.cfg.clusterBelowZoom + 1 });
        return;
      }
      C.userSelect(hit.kind, hit.id);
    });
    map.on('contextmenu', function (ev) {
      if (C.draw.mode) { C.draw.cancel(); return; }
      C.tooltip.hide();
      var hit = r.hitTest(ev.containerPoint);
      C.menu.show(hit && !hit.cluster ? hit : null, ev.latlng, ev.containerPoint);
    });
  }

  // ------------------------------------------------------------------ messages from Python
  var handlers = {
    districts: function (m) { C.setDistricts(m.geojson, m.jurisdiction); },
    replace: function (m) {
      C.store.replace(m.kind, m.items);
      C.renderer.redraw();
      C.pulses.sync(C.store);
    },
    batch: function (m) {
      var t0 = performance.now();
      C.store.applyBatch(m);
      C.follow.afterBatch();
      C.renderer.redraw();
      C.pulses.sync(C.store);
      var ms = performance.now() - t0, s = C.stats;
      s.batches++;
      s.seq = m.seq;
      s.lastApplyMs = ms;
      s.lastDrawMs = C.renderer.lastDrawMs;
      s.applyMs.push(ms);
      s.drawMs.push(C.renderer.lastDrawMs);
      if (s.applyMs.length > 500) { s.applyMs.splice(0, 250); s.drawMs.splice(0, 250); }
      if (s.measureFrames) {
        // until the frame after next has started: the batch's pixels reached the screen
        requestAnimationFrame(function () {
          requestAnimationFrame(function () { s.frameMs.push(performance.now() - t0); });
        });
      }
    },
    select: function (m) {
      C.selection = m.kind ? { kind: m.kind, id: String(m.id) } : null;
      C.renderer.redraw();
    },
    focus: function (m) { C.focusEntity(m.kind, m.id, m.zoom); },
    follow: function (m) { C.follow.start(m.kind, m.id, m.trail, false); },
    unfollow: function () { C.follow.stop(false); },
    layer: function (m) {
      var layer = C.layers[m.name];
      if (!layer) throw new Error('unknown layer ' + m.name);
      if (m.visible) C.map.addLayer(layer); else C.map.removeLayer(layer);
    },
    draw: function (m) { if (m.shape) C.draw.start(m.shape); else C.draw.cancel(); },
    fences: function (m) { C.fences.set(m.geojson); },
    replay_load: function (m) { C.replay.load(m); },
    replay_time: function (m) { C.replay.setTime(m.t); },
    // the console's clock: staleness and "seconds ago" use it, not the browser's
    clock: function (m) { C.clockOffsetS = m.now - Date.now() / 1000; },
    replay_stop: function () { C.replay.stop(); },
    tileinfo: function (m) {
      var t = C.tileLayer;
      if (!t) return;
      t.options.maxNativeZoom = m.maxZoom;
      t.options.minNativeZoom = m.minZoom;
      if (m.bounds) {
        var sw = displayLatLng(m.bounds[1], m.bounds[0]), ne = displayLatLng(m.bounds[3], m.bounds[2]);
        t.options.bounds = L.latLngBounds(sw, ne);
      }
      t.redraw();
    },
    tiles_failed: function () {
      if (C.tileLayer) {
        C.layerControl.removeLayer(C.tileLayer);
        C.map.removeLayer(C.tileLayer);
        C.tileLayer = null;
        delete C.layers.base;
      }
    },
    view: function (m) {
      if (m.fit) { if (C.fitDistricts) C.fitDistricts(); return; }
      C.map.setView(displayLatLng(m.lat, m.lon), m.zoom || C.map.getZoom(), { animate: false });
    }
  };

  C.receive = function (text) {
    var m;
    try {
      m = JSON.parse(text);
      var h = handlers[m.op];
      if (!h) throw new Error('unknown message ' + m.op);
      h(m);
    } catch (err) {
      C.post({ type: 'error', message: 'message ' + (m ? m.op : '?') + ': ' + err +
               (err && err.stack ? '\n' + err.stack : '') });
    }
  };

  // ------------------------------------------------------------------ boot
  C.boot = function (map, cfg) {
    C.map = map;
    C.cfg = cfg;
    var lang = new URLSearchParams(window.location.search).get('lang');
    C.lang = C.I18N[lang] ? lang : 'zh';
    document.documentElement.lang = C.lang === 'zh' ? 'zh-CN' : 'en';
    C.coords.setMode(cfg.tiles.crs);
    map.setMinZoom(MIN_ZOOM);
    map.setMaxZoom(Math.max(cfg.tiles.maxZoom || 18, 18));
    map.setMaxBounds(L.latLngBounds([37.4, 113.0], [42.6, 120.0]));
    if (map.attributionControl) map.attributionControl.setPrefix(false);
    L.DomUtil.addClass(map.getContainer(), cfg.tiles.mode === 'none' ? 'cedc-plain' : 'cedc-tiled');

    map.createPane('cedcDistricts').style.zIndex = 350;
    map.createPane('cedcFences').style.zIndex = 420;
    map.createPane('cedcLabels').style.zIndex = 430;
    map.createPane('cedcEntities').style.zIndex = 450;
    map.createPane('cedcPulse').style.zIndex = 460;
    map.getPane('cedcLabels').style.pointerEvents = 'none';
    map.getPane('cedcEntities').style.pointerEvents = 'none';
    map.getPane('cedcPulse').style.pointerEvents = 'none';

    C.tileLayer = setupTiles(map, cfg);
    if (!C.tileLayer && map.attributionControl) map.removeControl(map.attributionControl);
    C.districtRenderer = L.svg({ pane: 'cedcDistricts', padding: 0.3 });
    C.districtGroup = L.layerGroup().addTo(map);
    C.store = new C.Store();
    C.renderer = new C.EntityRenderer(C.store).addTo(map);
    C.renderer.overlays.push(C.follow, C.replay);
    C.fences = new C.Fences(map);
    C.fences.group.addTo(map);
    C.draw = new C.Draw(map, C.fences);
    C.tooltip = new C.Tooltip(map);
    C.menu = new C.Menu(map);
    C.pulses = new C.Pulses(map);

    C.layers = { districts: C.districtGroup, fences: C.fences.group };
    if (C.tileLayer) C.layers.base = C.tileLayer;
    var overlays = {};
    if (C.tileLayer) overlays[C.t('layer_base')] = C.tileLayer;
    overlays[C.t('layer_districts')] = C.districtGroup;
    ['venue', 'unit', 'vehicle', 'officer', 'camera', 'incident', 'zones'].forEach(function (k) {
      var toggle = new Toggle(k);
      C.layers[k] = toggle;
      overlays[C.t('layer_' + k)] = toggle;
      if (k !== 'zones') toggle.addTo(map);
    });
    overlays[C.t('layer_fences')] = C.fences.group;
    C.layerControl = L.control.layers(null, overlays, { collapsed: true, position: 'topright' }).addTo(map);
    // Python keeps what the page shows, to give it back if the renderer process dies: layer
    // switches made in the layer control and where the map was moved to.
    map.on('overlayadd overlayremove', function (ev) {
      Object.keys(C.layers).forEach(function (k) {
        if (C.layers[k] === ev.layer) C.post({ type: 'layer', name: k, visible: ev.type === 'overlayadd' });
      });
    });
    map.on('moveend', function () {
      var c = map.getCenter();
      C.post({ type: 'view', lat: c.lat, lon: c.lng, zoom: map.getZoom(), crs: 'display' });
    });
    L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
    new C.SearchControl().addTo(map);
    new C.DrawControl().addTo(map);
    new C.LegendControl().addTo(map);
    setupInput(map);

    // Units that stop reporting must fade even when no batch comes: redraw now and then.
    setInterval(function () {
      if (C.store.kinds.unit.size || C.store.kinds.vehicle.size || C.store.kinds.officer.size) {
        C.renderer.redraw();
      }
    }, Math.max(1000, Math.min(5000, cfg.staleAfterS * 250)));

    if (window.qt && window.qt.webChannelTransport) {
      new QWebChannel(window.qt.webChannelTransport, function (channel) {
        C.bridge = channel.objects.bridge;
        C.bridge.push.connect(C.receive);
        outbox.splice(0).forEach(function (text) { C.bridge.post(text); });
        C.post({ type: 'ready', leaflet: L.version, lang: C.lang });
      });
    }
  };

  // ------------------------------------------------------------------ test & bench hooks
  C.debug = {
    entity: function (kind, id) {
      var e = C.store.get(kind, String(id));
      if (!e) return 'null';
      var p = null;
      if (e.has) {
        var cp = C.map.latLngToContainerPoint(displayLatLng(e.lat, e.lon));
        p = [cp.x, cp.y + C.entityStyle(e, false).hy];
      }
      return JSON.stringify({ kind: kind, id: e.id, lat: e.lat, lon: e.lon, heading: e.hdg,
        speed: e.spd, last_fix: e.t, fields: e.f, has: e.has,
        stale: C.store.isStale(e, C.now()), drawn: C.renderer.wasDrawn(e), point: p,
        drawnAt: C.renderer.drawnAt(e),
        selected: !!(C.selection && C.selection.kind === kind && C.selection.id === e.id),
        style: e.has ? C.entityStyle(e, C.store.isStale(e, C.now())).key : null });
    },
    counts: function () {
      var out = {};
      C.KINDS.forEach(function (k) { out[k] = C.store.kinds[k].size; });
      out.drawn = C.renderer.drawnCount;
      out.pulsing = C.store.pulsing.size;
      out.fences = C.fences.count;
      return JSON.stringify(out);
    },
    stats: function () {
      return JSON.stringify({ batches: C.stats.batches, seq: C.stats.seq,
        lastApplyMs: C.stats.lastApplyMs, lastDrawMs: C.stats.lastDrawMs,
        applyMs: C.stats.applyMs, drawMs: C.stats.drawMs, frameMs: C.stats.frameMs });
    },
    resetStats: function (frames) {
      C.stats.applyMs = []; C.stats.drawMs = []; C.stats.frameMs = []; C.stats.batches = 0;
      C.stats.measureFrames = !!frames;
    },
    replay: function () { return JSON.stringify(C.replay.state()); },
    districts: function () { return JSON.stringify(C.districtInfo || null); },
    tooltip: function () { return C.tooltip.text(); },
    menu: function () { return JSON.stringify(C.menu.items); },
    chooseMenu: function (action) {
      var item = C.menu.node.querySelector('[data-action="' + action + '"]');
      if (!item) return false;
      item.click();
      return true;
    },
    layers: function () {
      var out = [];
      Object.keys(C.layers).forEach(function (k) { if (C.map.hasLayer(C.layers[k])) out.push(k); });
      return JSON.stringify(out);
    },
    view: function () {
      var c = C.map.getCenter();
      return JSON.stringify({ lat: c.lat, lon: c.lng, zoom: C.map.getZoom() });
    },
    follow: function () {
      return JSON.stringify({ kind: C.follow.kind, id: C.follow.id, trail: C.follow.trail.length });
    },
    /** Fire a Leaflet mouse event at the display position of a WGS-84 point. */
    fireAt: function (type, lat, lon) {
      var ll = displayLatLng(lat, lon), cp = C.map.latLngToContainerPoint(ll);
      C.map.fire(type, { latlng: ll, containerPoint: cp, layerPoint: C.map.containerPointToLayerPoint(cp),
                         originalEvent: { preventDefault: function () {} } });
    },
    /** Everything the document loads, for the no-external-URL test. */
    resourceUrls: function () {
      var urls = [];
      document.querySelectorAll('[src],[href]').forEach(function (n) {
        urls.push(n.src || n.href);
      });
      performance.getEntriesByType('resource').forEach(function (r) { urls.push(r.name); });
      return JSON.stringify(urls);
    }
  };
}());
