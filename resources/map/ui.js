/* Page furniture: hover tooltip, right-click menu, search box, legend, follow banner and the
   pulsing rings of emergencies. Texts come from i18n.js. */
(function () {
  'use strict';
  var C = window.CEDC = window.CEDC || {};
  // seconds since the epoch by the console's clock (the page's own clock is not the console's)
  if (!C.now) C.now = function () { return Date.now() / 1000 + (C.clockOffsetS || 0); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  C.el = el;

  function ago(t) {
    if (t !== t) return C.t('never');
    var s = Math.max(0, Math.round(C.now() - t));
    if (s < 120) return C.t('ago_s', { n: s });
    if (s < 7200) return C.t('ago_m', { n: Math.round(s / 60) });
    return C.t('ago_h', { n: Math.round(s / 3600) });
  }

  /** Rows [label, value] describing an entity, for the tooltip. */
  function describe(e) {
    var f = e.f, rows = [], title;
    function add(key, value) {
      if (value !== undefined && value !== null && value !== '') rows.push([C.t(key), value]);
    }
    if (e.kind === 'venue') {
      title = f.name || e.id;
      add('f_grade', f.grade ? C.tOr('grade_' + f.grade, f.grade) : '');
      add('f_class', f.venue_class ? C.tOr('vc_' + f.venue_class, f.venue_class) : '');
      add('f_type', f.venue_type ? C.tOr('vt_' + f.venue_type, f.venue_type) : '');
      add('f_licence', f.licence_no);
      add('f_address', f.address);
      add('f_district', f.district);
    } else if (C.MOVING[e.kind]) {
      title = C.nameOf(e);
      add('f_status', f.status ? C.tOr('status_' + f.status, f.status) : '');
      if (e.kind !== 'vehicle') add('f_plate', f.plate);
      else add('f_plate', f.plate && f.plate !== title ? f.plate : '');
      add('f_members', f.members);
      if (f.unit) add('f_unit', f.unit);
      if (e.spd === e.spd) add('f_speed', C.t('speed_kmh', { n: Math.round(e.spd) }));
      var last = ago(e.t);
      if (C.store.isStale(e, C.now())) last += '（' + C.t('stale') + '）';
      add('f_last_fix', last);
    } else if (e.kind === 'camera') {
      title = f.name || f.code || e.id;
      add('f_camera', C.t(f.live ? 'camera_live' : 'camera_offline'));
      add('f_unit', f.unit || f.officer);
    } else {
      title = (f.number ? f.number + ' ' : '') + (f.title || '');
      add('f_priority', f.priority ? C.tOr('priority_' + f.priority, String(f.priority)) : '');
      add('f_status', f.status ? C.tOr('inc_' + f.status, f.status) : '');
      add('f_address', f.address);
    }
    return { kind: C.t('kind_' + e.kind), title: title, rows: rows };
  }
  C.describe = describe;

  // ------------------------------------------------------------------ tooltip
  function Tooltip(map) {
    this.map = map;
    this.node = el('div', 'cedc-tip');
    this.node.style.display = 'none';
    map.getContainer().appendChild(this.node);
    this.target = null;
  }
  Tooltip.prototype.show = function (target, point) {
    if (target !== this.target) {
      this.target = target;
      var n = this.node;
      n.textContent = '';
      if (target.cluster) {
        n.appendChild(el('div', 'cedc-tip-title', C.t('cluster', { n: target.n })));
        var g = el('div', 'cedc-tip-grades');
        ['A', 'B', 'C', 'D'].forEach(function (k) {
          if (!target.g[k]) return;
          var s = el('span', 'cedc-grade cedc-grade-' + k, k + ' ' + target.g[k]);
          g.appendChild(s);
        });
        n.appendChild(g);
      } else {
        var d = describe(target);
        n.appendChild(el('div', 'cedc-tip-kind', d.kind));
        n.appendChild(el('div', 'cedc-tip-title', d.title));
        var table = el('table');
        d.rows.forEach(function (r) {
          var tr = el('tr');
          tr.appendChild(el('th', null, r[0]));
          tr.appendChild(el('td', null, r[1]));
          table.appendChild(tr);
        });
        n.appendChild(table);
      }
    }
    var size = this.map.getSize(), w = this.node.offsetWidth || 220, h = this.node.offsetHeight;
    var x = point.x + 16, y = point.y + 12;
    if (x + w > size.x - 4) x = point.x - w - 12;
    if (y + h > size.y - 4) y = Math.max(4, size.y - h - 4);
    this.node.style.left = x + 'px';
    this.node.style.top = y + 'px';
    this.node.style.display = 'block';
  };
  Tooltip.prototype.hide = function () {
    this.target = null;
    this.node.style.display = 'none';
  };
  Tooltip.prototype.text = function () {
    return this.node.style.display === 'none' ? '' : this.node.textContent;
  };
  C.Tooltip = Tooltip;

  // ------------------------------------------------------------------ context menu
  function Menu(map) {
    this.map = map;
    this.node = el('div', 'cedc-menu');
    this.node.style.display = 'none';
    map.getContainer().appendChild(this.node);
    L.DomEvent.disableClickPropagation(this.node);
    L.DomEvent.on(this.node, 'contextmenu', L.DomEvent.stop);
    this.items = [];
    var self = this;
    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape') self.hide();
    });
    map.on('movestart zoomstart click', function () { self.hide(); });
  }
  /** actions for a target: entity, or null for the map itself */
  Menu.prototype.actionsFor = function (target) {
    if (!target) return ['dispatch_here'];
    switch (target.kind) {
      case 'venue':
        return target.f.venue_class === 'key'
          ? ['dispatch_here', 'venue_dossier', 'open_feed'] : ['dispatch_here', 'venue_dossier'];
      case 'incident': return ['dispatch_here'];
      case 'camera': return ['open_feed'];
      default:
        return ['open_feed', C.follow.is(target.kind, target.id) ? 'unfollow' : 'follow'];
    }
  };
  Menu.prototype.show = function (target, latlng, point) {
    var self = this, n = this.node;
    n.textContent = '';
    var title = target ? describe(target).title : C.t('menu_here');
    n.appendChild(el('div', 'cedc-menu-title', title));
    this.items = this.actionsFor(target);
    this.items.forEach(function (action) {
      var item = el('div', 'cedc-menu-item', C.t('menu_' + action));
      item.setAttribute('data-action', action);
      L.DomEvent.on(item, 'click', function (ev) {
        L.DomEvent.stop(ev);
        self.hide();
        self.choose(action, target, latlng);
      });
      n.appendChild(item);
    });
    var size = this.map.getSize();
    n.style.display = 'block';
    var x = Math.min(point.x, size.x - n.offsetWidth - 4);
    var y = Math.min(point.y, size.y - n.offsetHeight - 4);
    n.style.left = Math.max(0, x) + 'px';
    n.style.top = Math.max(0, y) + 'px';
    this.target = target;
    this.latlng = latlng;
  };
  Menu.prototype.choose = function (action, target, latlng) {
    if (action === 'follow') { C.follow.start(target.kind, target.id, null, true); return; }
    if (action === 'unfollow') { C.follow.stop(true); return; }
    if (target) {
      C.post({ type: 'context', action: action, kind: target.kind, id: target.id,
               lat: target.lat, lon: target.lon, crs: 'wgs84' });
    } else {
      C.post({ type: 'context', action: action, kind: '', id: '', lat: latlng.lat,
               lon: latlng.lng, crs: 'display' });
    }
  };
  Menu.prototype.hide = function () {
    this.node.style.display = 'none';
    this.items = [];
  };
  C.Menu = Menu;

  // ------------------------------------------------------------------ search
  var SEARCH_FIELDS = {
    venue: ['name', 'licence_no'], unit: ['call_sign', 'plate'], vehicle: ['plate', 'call_sign'],
    officer: ['label', 'call_sign', 'name'], camera: ['name', 'code'], incident: ['number', 'title']
  };
  var SEARCH_ORDER = ['unit', 'vehicle', 'officer', 'venue', 'incident', 'camera'];

  /** Up to `limit` matches of text: [{kind, id, title, sub}]; exact prefix first. */
  C.search = function (text, limit) {
    var q = String(text || '').trim().toLowerCase();
    limit = limit || 10;
    if (!q) return [];
    var starts = [], contains = [];
    for (var k = 0; k < SEARCH_ORDER.length; k++) {
      var kind = SEARCH_ORDER[k], it = C.store.kinds[kind].values();
      for (var r = it.next(); !r.done; r = it.next()) {
        var e = r.value;
        if (e.search === null || e.search === undefined) {
          e.search = SEARCH_FIELDS[kind].map(function (f) {
            return String(e.f[f] || '').toLowerCase();
          });
        }
        var pos = -1;
        for (var i = 0; i < e.search.length; i++) {
          var p = e.search[i].indexOf(q);
          if (p === 0) { pos = 0; break; }
          if (p > 0 && pos < 0) pos = p;
        }
        if (pos === 0) starts.push(e); else if (pos > 0) contains.push(e);
        if (starts.length >= limit) break;
      }
      if (starts.length >= limit) break;
    }
    return starts.concat(contains).slice(0, limit).map(function (e) {
      var d = describe(e);
      var sub = e.kind === 'venue' ? (e.f.licence_no || '') : d.kind;
      return { kind: e.kind, id: e.id, title: d.title, sub: sub };
    });
  };

  C.SearchControl = L.Control.extend({
    options: { position: 'topleft' },
    onAdd: function () {
      var box = el('div', 'cedc-search leaflet-bar');
      var input = this.input = el('input');
      input.type = 'search';
      input.placeholder = C.t('search_placeholder');
      input.setAttribute('aria-label', C.t('search_placeholder'));
      var list = this.list = el('div', 'cedc-search-list');
      box.appendChild(input);
      box.appendChild(list);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var self = this;
      L.DomEvent.on(input, 'input', function () { self.update(); });
      L.DomEvent.on(input, 'keydown', function (ev) {
        if (ev.key === 'Enter' && self.results && self.results.length) self.pick(self.results[0]);
        if (ev.key === 'Escape') { input.value = ''; self.update(); }
      });
      return box;
    },
    update: function () {
      var list = this.list, self = this;
      this.results = C.search(this.input.value, 10);
      list.textContent = '';
      if (!this.input.value.trim()) { list.style.display = 'none'; return; }
      list.style.display = 'block';
      if (!this.results.length) { list.appendChild(el('div', 'cedc-search-none', C.t('search_none'))); }
      this.results.forEach(function (r) {
        var row = el('div', 'cedc-search-row');
        row.appendChild(el('span', 'cedc-search-title', r.title));
        row.appendChild(el('span', 'cedc-search-sub', r.sub));
        L.DomEvent.on(row, 'click', function () { self.pick(r); });
        list.appendChild(row);
      });
    },
    pick: function (r) {
      this.list.style.display = 'none';
      C.focusEntity(r.kind, r.id, 16);
      C.userSelect(r.kind, r.id);
    }
  });

  // ------------------------------------------------------------------ legend
  C.LegendControl = L.Control.extend({
    options: { position: 'bottomleft' },
    onAdd: function () {
      var box = el('div', 'cedc-legend leaflet-bar');
      var head = el('div', 'cedc-legend-head', C.t('legend'));
      var body = el('div', 'cedc-legend-body');
      box.appendChild(head);
      box.appendChild(body);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(head, 'click', function () { box.classList.toggle('cedc-open'); });
      function section(title) { body.appendChild(el('div', 'cedc-legend-sec', title)); }
      function row(sprite, text) {
        var r = el('div', 'cedc-legend-row');
        var img = el('img');
        img.src = sprite.c.toDataURL();
        img.width = sprite.w; img.height = sprite.h;
        var cell = el('span', 'cedc-legend-icon');
        cell.appendChild(img);
        r.appendChild(cell);
        r.appendChild(el('span', null, text));
        body.appendChild(r);
      }
      function pic(kind, f, stale) {
        return C.entitySprite({ kind: kind, f: f, hb: kind === 'unit' ? 2 : -1 }, stale);
      }
      section(C.t('legend_grades'));
      ['A', 'B', 'C', 'D'].forEach(function (g) {
        row(pic('venue', { grade: g, venue_class: 'regular' }), C.t('grade_' + g));
      });
      section(C.t('legend_classes'));
      ['key', 'temporary', 'regular'].forEach(function (c) {
        row(pic('venue', { grade: 'B', venue_class: c }), C.t('vc_' + c));
      });
      section(C.t('legend_status'));
      Object.keys(C.STATUS_COLOURS).forEach(function (s) {
        row(pic('unit', { status: s }), C.t('status_' + s));
      });
      row(pic('unit', { status: 'available' }, true), C.t('legend_stale'));
      row(pic('vehicle', { status: 'available' }), C.t('kind_vehicle'));
      row(pic('officer', { status: 'available' }), C.t('kind_officer'));
      row(pic('camera', { live: true }), C.t('kind_camera') + ' · ' + C.t('camera_live'));
      row(pic('camera', { live: false }), C.t('kind_camera') + ' · ' + C.t('camera_offline'));
      section(C.t('legend_priority'));
      [1, 2, 3, 4].forEach(function (p) {
        row(pic('incident', { priority: p }), C.t('priority_' + p));
      });
      return box;
    }
  });

  // ------------------------------------------------------------------ follow mode
  C.follow = {
    kind: null, id: null, trail: [], banner: null,
    is: function (kind, id) { return this.kind === kind && this.id === id; },
    /** Follow an entity; `trail` is an optional [[lat, lon], ...] history (WGS-84). */
    start: function (kind, id, trail, fromUser) {
      this.kind = kind;
      this.id = String(id);
      this.trail = [];
      var self = this;
      (trail || []).forEach(function (p) { self._push(p[0], p[1]); });
      var e = C.store.get(kind, this.id);
      if (e && e.has) { this._push(e.lat, e.lon); C.map.setView(this._display(e), Math.max(C.map.getZoom(), 15)); }
      this._banner();
      C.renderer.redraw();
      if (fromUser) C.post({ type: 'follow', kind: kind, id: this.id });
    },
    stop: function (fromUser) {
      if (!this.kind) return;
      this.kind = null;
      this.id = null;
      this.trail = [];
      if (this.banner) this.banner.style.display = 'none';
      C.renderer.redraw();
      if (fromUser) C.post({ type: 'follow', kind: '', id: '' });
    },
    _display: function (e) {
      var d = C.coords.toDisplay(e.lat, e.lon);
      return L.latLng(d[0], d[1]);
    },
    _push: function (lat, lon) {
      var last = this.trail[this.trail.length - 1];
      if (last && last[0] === lat && last[1] === lon) return;
      var d = C.coords.toDisplay(lat, lon);
      this.trail.push([lat, lon, C.mercX(d[1]), C.mercY(d[0])]);
      var max = C.cfg.trailPoints || 600;
      if (this.trail.length > max) this.trail.splice(0, this.trail.length - max);
    },
    /** After each batch: extend the trail and keep the entity in view. */
    afterBatch: function () {
      if (!this.kind) return;
      var e = C.store.get(this.kind, this.id);
      if (!e || !e.has) return;
      this._push(e.lat, e.lon);
      C.map.panTo(this._display(e), { animate: true, duration: 0.4 });
      this._banner();
    },
    _banner: function () {
      if (!this.banner) {
        var b = this.banner = el('div', 'cedc-follow');
        this.bannerText = el('span');
        var stop = el('button', null, C.t('follow_stop'));
        stop.type = 'button';
        b.appendChild(this.bannerText);
        b.appendChild(stop);
        L.DomEvent.disableClickPropagation(b);
        var self = this;
        L.DomEvent.on(stop, 'click', function () { self.stop(true); });
        C.map.getContainer().appendChild(b);
      }
      var e = C.store.get(this.kind, this.id);
      var name = e ? describe(e).title : this.id;
      this.bannerText.textContent = C.t('follow_banner', { name: name });
      this.banner.style.display = 'flex';
    },
    drawOver: function () {},
    /** Renderer overlay: the trail as a line under the symbols. */
    drawUnder: function (ctx, v) {
      var tr = this.trail;
      if (!this.kind || tr.length < 2) return;
      ctx.beginPath();
      for (var i = 0; i < tr.length; i++) {
        var x = tr[i][2] * v.S - v.ox, y = tr[i][3] * v.S - v.oy;
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
      ctx.lineJoin = 'round';
      ctx.lineCap = 'round';
      ctx.lineWidth = 6;
      ctx.strokeStyle = 'rgba(255,255,255,0.85)';
      ctx.stroke();
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#0284c7';
      ctx.stroke();
    }
  };

  // ------------------------------------------------------------------ pulses
  /** CSS-animated rings over emergencies and urgent incidents (few; DOM markers). */
  C.Pulses = function (map) {
    this.map = map;
    this.markers = new Map();
    this.layer = L.layerGroup().addTo(map);
  };
  C.Pulses.prototype.sync = function (store) {
    var self = this;
    this.markers.forEach(function (m, key) {
      var e = store.pulsing.get(key);
      if (!e || !e.has || !C.renderer.visible[e.kind]) { self.layer.removeLayer(m); self.markers.delete(key); }
    });
    store.pulsing.forEach(function (e, key) {
      if (!e.has || !C.renderer.visible[e.kind]) return;
      var d = C.coords.toDisplay(e.lat, e.lon), m = self.markers.get(key);
      if (!m) {
        m = L.marker(d, { interactive: false, keyboard: false, pane: 'cedcPulse',
                          icon: L.divIcon({ className: 'cedc-pulse', iconSize: [44, 44] }) });
        self.markers.set(key, m);
        self.layer.addLayer(m);
      } else {
        m.setLatLng(d);
      }
    });
  };
}());
