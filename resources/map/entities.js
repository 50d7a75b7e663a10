/* Point entities (venues, units, vehicles, officers, cameras, incidents): the store that live
   batches update, and one canvas renderer that draws all of them, batched by style.

   Positions are kept as Web-Mercator world coordinates in [0, 1] (of the drawn datum), so a
   redraw is one multiply-add per entity plus a drawImage. Venues are clustered on a screen grid
   below CEDC.cfg.clusterBelowZoom. The renderer records what it drew for hit testing. */
(function () {
  'use strict';
  var C = window.CEDC = window.CEDC || {};
  // seconds since the epoch by the console's clock (the page's own clock is not the console's)
  if (!C.now) C.now = function () { return Date.now() / 1000 + (C.clockOffsetS || 0); };

  /** Draw order, bottom to top. */
  var KINDS = ['venue', 'camera', 'vehicle', 'officer', 'unit', 'incident'];
  var MOVING = { unit: true, vehicle: true, officer: true };
  var POS_FIELDS = { lat: 1, lon: 1, heading: 1, speed: 1, last_fix: 1 };
  var GRADE_COLOURS = { A: '#2e9d4a', B: '#2f6fd6', C: '#e6b800', D: '#d92b2b' };
  var STATUS_COLOURS = {
    off_duty: '#9ca3af', available: '#16a34a', dispatched: '#f59e0b', en_route: '#2563eb',
    on_scene: '#7c3aed', clearing: '#0d9488', out_of_service: '#4b5563', emergency: '#dc2626'
  };
  var PRIORITY_COLOURS = { 1: '#d92b2b', 2: '#f97316', 3: '#eab308', 4: '#64748b' };
  var MAX_LAT = 85.0511287798;
  var LABEL_ZOOM = 15;
  var MAX_LABELS = 400;

  C.KINDS = KINDS;
  C.MOVING = MOVING;
  C.GRADE_COLOURS = GRADE_COLOURS;
  C.STATUS_COLOURS = STATUS_COLOURS;
  C.PRIORITY_COLOURS = PRIORITY_COLOURS;

  /** Web Mercator of a drawn (display) lat/lon into [0, 1] world coordinates. */
  function mercX(lon) { return (lon + 180) / 360; }
  function mercY(lat) {
    if (lat > MAX_LAT) lat = MAX_LAT; else if (lat < -MAX_LAT) lat = -MAX_LAT;
    var s = Math.sin(lat * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  C.mercX = mercX;
  C.mercY = mercY;

  function decodeF64(b64) {
    var bin = atob(b64), n = bin.length, u8 = new Uint8Array(n);
    for (var i = 0; i < n; i++) u8[i] = bin.charCodeAt(i);
    return new Float64Array(u8.buffer);
  }

  function headingBucket(h) {
    return (h === h) ? (Math.round(h / 22.5) & 15) : -1;
  }

  // ------------------------------------------------------------------ store
  function Store() {
    this.kinds = {};
    for (var i = 0; i < KINDS.length; i++) this.kinds[KINDS[i]] = new Map();
    this.venueVersion = 0;
    this.pulsing = new Map();   // 'kind\u0000id' -> entity: emergencies and urgent incidents
    this.listeners = [];        // fn(kind, entity) when a followed entity moves, etc.
    this.seq = 0;
  }
  C.Store = Store;

  Store.prototype.get = function (kind, id) {
    var m = this.kinds[kind];
    return m ? m.get(id) : undefined;
  };

  Store.prototype._entity = function (kind, id) {
    var m = this.kinds[kind], e = m.get(id);
    if (!e) {
      e = { kind: kind, id: id, f: {}, has: false, lat: NaN, lon: NaN, wx: 0, wy: 0,
            hdg: NaN, hb: -1, spd: NaN, t: NaN, sc: null };
      m.set(id, e);
    }
    return e;
  };

  Store.prototype._setPos = function (e, lat, lon) {
    e.lat = lat;
    e.lon = lon;
    var d = C.coords.toDisplay(lat, lon);
    e.wx = mercX(d[1]);
    e.wy = mercY(d[0]);
    e.has = true;
  };

  Store.prototype._setHeading = function (e, h) {
    e.hdg = h;
    var hb = MOVING[e.kind] ? headingBucket(h) : -1;
    e.hb = hb;
  };

  /** Merge plain fields (and positions given as fields) into an entity. */
  Store.prototype._assign = function (e, f) {
    var styleChanged = false;
    for (var k in f) {
      if (POS_FIELDS[k] === 1) continue;
      if (e.f[k] !== f[k]) { e.f[k] = f[k]; styleChanged = true; }
    }
    if (f.lat !== undefined && f.lat !== null && f.lon !== undefined && f.lon !== null &&
        isFinite(f.lat) && isFinite(f.lon)) {
      this._setPos(e, +f.lat, +f.lon);
    }
    if (f.heading !== undefined) this._setHeading(e, f.heading === null ? NaN : +f.heading);
    if (f.speed !== undefined) e.spd = f.speed === null ? NaN : +f.speed;
    if (f.last_fix !== undefined) e.t = f.last_fix === null ? NaN : +f.last_fix;
    if (styleChanged) {
      e.sc = null;
      e.search = null;
      this._pulse(e);
    }
  };

  Store.prototype._pulse = function (e) {
    var key = e.kind + '\u0000' + e.id;
    var on = (MOVING[e.kind] && e.f.status === 'emergency') ||
             (e.kind === 'incident' && +e.f.priority === 1);
    if (on) this.pulsing.set(key, e); else this.pulsing.delete(key);
  };

  Store.prototype._remove = function (kind, id) {
    var e = this.kinds[kind].get(id);
    if (!e) return;
    this.kinds[kind].delete(id);
    this.pulsing.delete(kind + '\u0000' + id);
    if (C.selection && C.selection.kind === kind && C.selection.id === id) C.selection = null;
  };

  /** Replace every entity of a kind: items are [id, fields] pairs. */
  Store.prototype.replace = function (kind, items) {
    var m = this.kinds[kind];
    if (!m) throw new Error('unknown kind ' + kind);
    var keep = new Set();
    for (var i = 0; i < items.length; i++) keep.add(String(items[i][0]));
    var self = this;
    Array.from(m.keys()).forEach(function (id) { if (!keep.has(id)) self._remove(kind, id); });
    for (var j = 0; j < items.length; j++) {
      var id = String(items[j][0]), e = this._entity(kind, id);
      e.f = {};
      e.sc = null;
      e.search = null;
      this._assign(e, items[j][1] || {});
    }
    if (kind === 'venue') this.venueVersion++;
  };

  /** Apply one live batch (see widgets/map/batch.py for the format). */
  Store.prototype.applyBatch = function (msg) {
    var kinds = msg.kinds, moved = [];
    for (var kind in kinds) {
      if (!this.kinds[kind]) continue;
      var part = kinds[kind], i;
      if (part.rm) for (i = 0; i < part.rm.length; i++) this._remove(kind, part.rm[i]);
      if (part.up) {
        for (i = 0; i < part.up.length; i++) {
          this._assign(this._entity(kind, part.up[i][0]), part.up[i][1]);
        }
      }
      if (part.ids) {
        var ids = part.ids, v = decodeF64(part.pos), o = 0;
        for (i = 0; i < ids.length; i++, o += 5) {
          if (!isFinite(v[o]) || !isFinite(v[o + 1])) continue;  // a broken fix: keep the last
          var e = this._entity(kind, ids[i]);
          this._setPos(e, v[o], v[o + 1]);
          if (v[o + 2] === v[o + 2]) this._setHeading(e, v[o + 2]);
          if (v[o + 3] === v[o + 3]) e.spd = v[o + 3];
          if (v[o + 4] === v[o + 4]) e.t = v[o + 4];
        }
        moved.push(kind);
      }
      if (kind === 'venue') this.venueVersion++;
    }
    this.seq = msg.seq || this.seq;
    return moved;
  };

  Store.prototype.isStale = function (e, nowS) {
    return MOVING[e.kind] === true && (e.t !== e.t || nowS - e.t > C.cfg.staleAfterS);
  };

  // ------------------------------------------------------------------ styles & sprites
  /* Each style (kind × status/grade/class × stale) is drawn once as vector art into a small
     sprite; the renderer then copies sprite pixels into one frame buffer in JavaScript and hands
     it to the canvas with a single putImageData. Measured on the software renderer (no GPU):
     10 000 entities as canvas paths cost ~275 ms of rasterisation, as drawImage calls ~28 ms;
     the pixel copy costs a few milliseconds, and the canvas then has one image to show. */
  var DPR = Math.max(1, window.devicePixelRatio || 1);
  var styles = new Map();
  var FONT = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
  var POINTER = [], POINTER_S = [];  // per heading bucket: the corners of the heading arrow
  (function () {
    function rotated(pts, a) {
      var c = Math.cos(a), s = Math.sin(a);
      return pts.map(function (p) { return [p[0] * c - p[1] * s, p[0] * s + p[1] * c]; });
    }
    for (var b = 0; b < 16; b++) {
      var a = b * 22.5 * Math.PI / 180;
      POINTER.push(rotated([[0, -16], [5, -9], [-5, -9]], a));
      POINTER_S.push(rotated([[0, -11], [3.5, -6], [-3.5, -6]], a));
    }
  }());
  /** Below this zoom, units/vehicles/officers are drawn as compact symbols without letters. */
  var COMPACT_BELOW_ZOOM = 13;

  /** Add one entity's outline to the current path. */
  function shapePath(ctx, shape, x, y) {
    switch (shape) {
      case 'circle': ctx.moveTo(x + 4.6, y); ctx.arc(x, y, 4.6, 0, 2 * Math.PI); break;
      case 'diamond':
        ctx.moveTo(x, y - 8); ctx.lineTo(x + 8, y); ctx.lineTo(x, y + 8); ctx.lineTo(x - 8, y);
        ctx.closePath(); break;
      case 'triangle':
        ctx.moveTo(x, y - 7); ctx.lineTo(x + 7, y + 6); ctx.lineTo(x - 7, y + 6); ctx.closePath();
        break;
      case 'unit': ctx.roundRect(x - 9, y - 9, 18, 18, 3); break;
      case 'vehicle': ctx.moveTo(x + 9, y); ctx.arc(x, y, 9, 0, 2 * Math.PI); break;
      case 'officer': ctx.moveTo(x + 7.5, y); ctx.arc(x, y, 7.5, 0, 2 * Math.PI); break;
      case 'unit_s': ctx.roundRect(x - 5.5, y - 5.5, 11, 11, 2); break;
      case 'vehicle_s': ctx.moveTo(x + 5.5, y); ctx.arc(x, y, 5.5, 0, 2 * Math.PI); break;
      case 'officer_s': ctx.moveTo(x + 4.5, y); ctx.arc(x, y, 4.5, 0, 2 * Math.PI); break;
      case 'camera': ctx.rect(x - 6.5, y - 5, 13, 10); break;
      case 'dot': ctx.moveTo(x + 2.4, y); ctx.arc(x, y, 2.4, 0, 2 * Math.PI); break;
      case 'lens': ctx.moveTo(x + 2.6, y); ctx.arc(x, y, 2.6, 0, 2 * Math.PI); break;
    }
  }

  /** The style of an entity (shared objects, cached by key); compact: small symbol. */
  function styleFor(e, stale, compact) {
    var f = e.f, key;
    compact = !!compact && MOVING[e.kind] === true;
    if (e.kind === 'venue') key = 'v|' + f.grade + '|' + f.venue_class;
    else if (MOVING[e.kind]) key = e.kind + '|' + f.status + '|' + (stale ? 1 : 0) + (compact ? '|s' : '');
    else if (e.kind === 'camera') key = 'c|' + !!f.live;
    else key = 'i|' + (+f.priority || 4);
    var st = styles.get(key);
    if (st) return st;
    st = { key: key, order: 0, alpha: 1, dash: null, stroke: '#ffffff', lw: 1.5, extra: null,
           r: 8, hy: 0, glyph: null, pointer: false, sprite: null };
    if (e.kind === 'venue') {
      st.fill = GRADE_COLOURS[f.grade] || '#6b7280';
      st.shape = f.venue_class === 'key' ? 'diamond' : f.venue_class === 'temporary' ? 'triangle' : 'circle';
      if (st.shape === 'diamond') { st.stroke = '#1f2937'; st.lw = 2; st.extra = 'dot'; st.r = 9; }
      if (st.shape === 'triangle') { st.dash = [2, 1.5]; st.r = 8; }
      if (st.shape === 'circle') st.r = 6;
    } else if (MOVING[e.kind]) {
      st.fill = STATUS_COLOURS[f.status] || '#6b7280';
      st.shape = compact ? e.kind + '_s' : e.kind;
      st.lw = compact ? 1.5 : 2;
      st.alpha = stale ? 0.35 : 1;
      st.pointer = compact ? POINTER_S : POINTER;
      st.glyph = compact ? null : e.kind;
      st.r = compact ? 7 : e.kind === 'officer' ? 9 : 11;
      // emergencies on top, stale ones at the bottom
      st.order = (stale ? 0 : 10) + (f.status === 'emergency' ? 5 : 1);
    } else if (e.kind === 'camera') {
      st.fill = f.live ? '#059669' : '#9ca3af';
      st.shape = 'camera';
      st.extra = 'lens';
      st.r = 8;
    } else {
      st.sprite = incidentSprite(+f.priority || 4);
      st.r = st.sprite.r;
      st.hy = st.sprite.hy;
    }
    styles.set(key, st);
    return st;
  }

  /** The vector art of one symbol of style st at (x, y), heading bucket hb (-1: none). */
  function drawStyled(ctx, st, x, y, hb) {
    if (st.alpha !== 1) ctx.globalAlpha = st.alpha;
    ctx.fillStyle = st.fill;
    ctx.strokeStyle = '#ffffff';
    if (st.pointer && hb >= 0) {
      var p = st.pointer[hb];
      ctx.beginPath();
      ctx.moveTo(x + p[0][0], y + p[0][1]);
      ctx.lineTo(x + p[1][0], y + p[1][1]);
      ctx.lineTo(x + p[2][0], y + p[2][1]);
      ctx.closePath();
      ctx.lineWidth = 1.2;
      ctx.fill();
      ctx.stroke();
    }
    ctx.beginPath();
    shapePath(ctx, st.shape, x, y);
    ctx.fill();
    ctx.lineWidth = st.lw;
    ctx.strokeStyle = st.stroke;
    if (st.dash) ctx.setLineDash(st.dash);
    ctx.stroke();
    if (st.dash) ctx.setLineDash([]);
    if (st.extra) {
      ctx.beginPath();
      shapePath(ctx, st.extra, x, y);
      ctx.fillStyle = '#ffffff';
      ctx.fill();
    }
    if (st.alpha !== 1) ctx.globalAlpha = 1;
  }

  function makeSprite(w, h, draw) {
    var c = document.createElement('canvas');
    c.width = Math.ceil(w * DPR);
    c.height = Math.ceil(h * DPR);
    var ctx = c.getContext('2d', { willReadFrequently: true });
    ctx.scale(DPR, DPR);
    draw(ctx, w / 2, h / 2);
    return { c: c, w: w, h: h, ax: w / 2, ay: h / 2, r: Math.min(w, h) / 2, hy: 0 };
  }

  /** The picture of an entity of style st with heading bucket hb (vector art, once). */
  function styleSprite(st, hb) {
    if (st.sprite) return st.sprite;
    return makeSprite(34, 34, function (ctx, cx, cy) {
      drawStyled(ctx, st, cx, cy, hb);
      if (st.glyph) {
        ctx.globalAlpha = st.alpha;
        ctx.fillStyle = '#ffffff';
        ctx.font = 'bold ' + (st.glyph === 'officer' ? 9 : 11) + 'px ' + FONT;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(C.t('glyph_' + st.glyph), cx, cy + 0.5);
        ctx.globalAlpha = 1;
      }
    });
  }

  /** A legend picture of an entity, drawn with the same code as the map. */
  function entitySprite(e, stale) {
    return styleSprite(styleFor(e, stale), e.hb === undefined ? -1 : e.hb);
  }
  C.entitySprite = entitySprite;

  // ------------------------------------------------------------------ pixel blitter
  var blitSprites = new Map();

  /** Sprite pixels as lists: offset (dx, dy from the top-left), colour, and whether opaque. */
  function blitSprite(st, hb) {
    var key = st.key + '|' + hb, b = blitSprites.get(key);
    if (b) return b;
    var sp = styleSprite(st, hb), w = sp.c.width, h = sp.c.height;
    var px = new Uint32Array(sp.c.getContext('2d', { willReadFrequently: true })
      .getImageData(0, 0, w, h).data.buffer);
    var dx = [], dy = [], col = [], opq = [];
    var runs = [], rdx = [], rdy = [], edx = [], edy = [], ecol = [];
    for (var y = 0; y < h; y++) {
      var run = null;
      for (var x = 0; x < w; x++) {
        var c = px[y * w + x], a = c >>> 24;
        if (a === 255) {
          if (!run) { run = []; runs.push(run); rdx.push(x); rdy.push(y); }
          run.push(c);
        } else {
          run = null;
          if (a !== 0) { edx.push(x); edy.push(y); ecol.push(c); }
        }
        if (a === 0) continue;
        dx.push(x); dy.push(y); col.push(c); opq.push(a === 255 ? 1 : 0);
      }
    }
    b = { w: w, h: h, ax: Math.round(sp.ax * DPR), ay: Math.round(sp.ay * DPR), n: dx.length,
          dx: Int16Array.from(dx), dy: Int16Array.from(dy), col: Uint32Array.from(col),
          opq: Uint8Array.from(opq),
          // fast path: opaque runs copied with TypedArray.set, edge pixels blended one by one
          runs: runs.map(function (r) { return Uint32Array.from(r); }),
          rdx: rdx, rdy: rdy, roff: new Int32Array(runs.length),
          edx: edx, edy: edy, ecol: Uint32Array.from(ecol), eoff: new Int32Array(edx.length),
          // edge colours premultiplied by their alpha, and 255 - alpha, for the blend over
          // an opaque pixel (the common case where symbols overlap)
          epr: Uint16Array.from(ecol, function (c) { return (c & 255) * (c >>> 24); }),
          epg: Uint16Array.from(ecol, function (c) { return ((c >>> 8) & 255) * (c >>> 24); }),
          epb: Uint16Array.from(ecol, function (c) { return ((c >>> 16) & 255) * (c >>> 24); }),
          eia: Uint16Array.from(ecol, function (c) { return 255 - (c >>> 24); }),
          offW: -1 };
    blitSprites.set(key, b);
    return b;
  }

  /** Source-over of two little-endian RGBA pixels (not premultiplied), as in ImageData. */
  function blend(s, d) {
    var sa = s >>> 24, da = d >>> 24, ia = 255 - sa;
    var dw = da * ia / 255, oa = sa + dw;
    var r = ((s & 255) * sa + (d & 255) * dw) / oa;
    var g = (((s >>> 8) & 255) * sa + ((d >>> 8) & 255) * dw) / oa;
    var bl = (((s >>> 16) & 255) * sa + ((d >>> 16) & 255) * dw) / oa;
    return (((oa + 0.5) << 24) | ((bl + 0.5) << 16) | ((g + 0.5) << 8) | (r + 0.5)) >>> 0;
  }

  function Blitter() { this.w = 0; this.h = 0; this.img = null; this.buf = null; }
  Blitter.prototype.begin = function (ctx, w, h) {
    if (w !== this.w || h !== this.h || !this.img) {
      this.img = ctx.createImageData(w, h);
      this.buf = new Uint32Array(this.img.data.buffer);
      this.w = w;
      this.h = h;
    } else {
      this.buf.fill(0);
    }
  };
  /** Copy sprite b with its anchor at device pixel (x, y). */
  Blitter.prototype.blit = function (b, x, y) {
    var W = this.w, H = this.h, buf = this.buf, X = x - b.ax, Y = y - b.ay;
    var n = b.n, col = b.col, opq = b.opq, i, k;
    if (X >= 0 && Y >= 0 && X + b.w <= W && Y + b.h <= H) {
      var roff = b.roff, eoff = b.eoff, runs = b.runs, ecol = b.ecol, ne = ecol.length;
      if (b.offW !== W) {
        for (i = 0; i < runs.length; i++) roff[i] = b.rdy[i] * W + b.rdx[i];
        for (i = 0; i < ne; i++) eoff[i] = b.edy[i] * W + b.edx[i];
        b.offW = W;
      }
      var base = Y * W + X;
      for (i = 0; i < runs.length; i++) buf.set(runs[i], base + roff[i]);
      var epr = b.epr, epg = b.epg, epb = b.epb, eia = b.eia;
      for (i = 0; i < ne; i++) {
        k = base + eoff[i];
        var d = buf[k];
        if (d === 0) {
          buf[k] = ecol[i];
        } else if ((d >>> 24) === 255) {
          var ia = eia[i];
          var r = ((epr[i] + (d & 255) * ia + 128) * 257) >>> 16;
          var g = ((epg[i] + ((d >>> 8) & 255) * ia + 128) * 257) >>> 16;
          var bl = ((epb[i] + ((d >>> 16) & 255) * ia + 128) * 257) >>> 16;
          buf[k] = (0xff000000 | (bl << 16) | (g << 8) | r) >>> 0;
        } else {
          buf[k] = blend(ecol[i], d);
        }
      }
      return;
    }
    for (i = 0; i < n; i++) {
      var px = X + b.dx[i], py = Y + b.dy[i];
      if (px < 0 || py < 0 || px >= W || py >= H) continue;
      k = py * W + px;
      if (opq[i] === 1 || buf[k] === 0) buf[k] = col[i]; else buf[k] = blend(col[i], buf[k]);
    }
  };
  Blitter.prototype.end = function (ctx) { ctx.putImageData(this.img, 0, 0); };

  function incidentSprite(priority) {
    var colour = PRIORITY_COLOURS[priority] || '#64748b';
    var s = makeSprite(22, 28, function (ctx, cx) {
      ctx.beginPath();
      ctx.moveTo(cx, 27);
      ctx.bezierCurveTo(cx - 4, 19, cx - 10, 15, cx - 10, 10);
      ctx.arc(cx, 10, 10, Math.PI, 0);
      ctx.bezierCurveTo(cx + 10, 15, cx + 4, 19, cx, 27);
      ctx.closePath();
      ctx.fillStyle = colour; ctx.fill();
      ctx.lineWidth = 1.5; ctx.strokeStyle = '#ffffff'; ctx.stroke();
      ctx.fillStyle = '#ffffff';
      ctx.font = 'bold 12px ' + FONT;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(priority <= 2 ? '!' : String(priority), cx, 10.5);
    });
    s.ay = 27;   // the tip points at the place
    s.hy = -17;  // centre of the head, relative to the tip
    s.r = 11;
    return s;
  }

  /** How a unit, vehicle or officer is named: a unit by its call sign, an officer by name and
   *  call sign ("张三 朝阳03"), a vehicle by call sign or plate; never by its database id. */
  function nameOf(e) {
    var f = e.f;
    if (e.kind === 'officer') {
      return f.label || [f.name, f.call_sign].filter(function (p) { return p; }).join(' ');
    }
    return f.call_sign || f.plate || f.name || '';
  }
  C.nameOf = nameOf;

  /** The label drawn beside an entity at high zoom. */
  function labelOf(e) {
    var f = e.f;
    if (MOVING[e.kind]) return nameOf(e);
    if (e.kind === 'incident') return f.number || '';
    if (e.kind === 'venue') return f.name || '';
    return '';
  }

  /** The style of an entity now (cached on the entity: stale or not × compact or not). */
  function entityStyle(e, stale, compact) {
    var i = (stale ? 1 : 0) + (compact ? 2 : 0), sc = e.sc || (e.sc = [null, null, null, null]);
    return sc[i] || (sc[i] = styleFor(e, stale, compact));
  }
  C.entityStyle = entityStyle;

  // ------------------------------------------------------------------ renderer
  C.EntityRenderer = L.Renderer.extend({
    options: { padding: 0.1, pane: 'cedcEntities' },

    initialize: function (store, options) {
      L.Renderer.prototype.initialize.call(this, options);
      this.store = store;
      this.visible = { venue: true, camera: true, vehicle: true, officer: true, unit: true,
                       incident: true, zones: false };
      this.overlays = [];     // objects with drawUnder/drawOver(ctx, view): trail, replay
      this._hx = new Float32Array(1024);
      this._hy = new Float32Array(1024);
      this._hr = new Float32Array(1024);
      this._hobj = [];
      this._hn = 0;
      this._blitter = new Blitter();
      this._clusterKey = null;
      this._clusters = null;
      this.lastDrawMs = 0;
      this.drawnCount = 0;
    },

    _initContainer: function () {
      // two canvases: vector art under the symbols (alert zones, trails, replay paths), and
      // the symbols themselves with what must stay on top (clusters, labels, selection)
      var box = this._container = document.createElement('div');
      box.className = 'cedc-entities';
      this._under = document.createElement('canvas');
      this._canvas = document.createElement('canvas');
      box.appendChild(this._under);
      box.appendChild(this._canvas);
      this._uctx = this._under.getContext('2d');
      this._ctx = this._canvas.getContext('2d');
    },

    _destroyContainer: function () {
      L.DomUtil.remove(this._container);
      delete this._ctx;
    },

    _update: function () {
      if (this._map._animatingZoom && this._bounds) return;
      L.Renderer.prototype._update.call(this);
      var b = this._bounds, size = b.getSize();
      L.DomUtil.setPosition(this._container, b.min);
      [this._under, this._canvas].forEach(function (c) {
        c.width = Math.round(DPR * size.x);
        c.height = Math.round(DPR * size.y);
        c.style.width = size.x + 'px';
        c.style.height = size.y + 'px';
      });
      this._origin = this._map.getPixelOrigin();
      this.redraw();
    },

    setVisible: function (what, on) {
      if (this.visible[what] === !!on) return;
      this.visible[what] = !!on;
      this.redraw();
    },

    /** How world coordinates map to canvas pixels now (for overlays). */
    _view: function () {
      var b = this._bounds, S = 256 * Math.pow(2, this._zoom);
      return { S: S, ox: this._origin.x + b.min.x, oy: this._origin.y + b.min.y,
               W: b.max.x - b.min.x, H: b.max.y - b.min.y, zoom: this._zoom };
    },

    _hit: function (x, y, r, obj) {
      var n = this._hn;
      if (n === this._hx.length) {
        var grow = function (a) { var b = new Float32Array(a.length * 2); b.set(a); return b; };
        this._hx = grow(this._hx); this._hy = grow(this._hy); this._hr = grow(this._hr);
      }
      this._hx[n] = x; this._hy[n] = y; this._hr[n] = r; this._hobj[n] = obj;
      this._hn = n + 1;
    },

    redraw: function () {
      if (!this._map || !this._ctx || !this._bounds) return;
      var t0 = performance.now();
      var ctx = this._ctx, v = this._view(), S = v.S, ox = v.ox, oy = v.oy;
      var W = v.W, H = v.H, nowS = C.now(), staleAfter = C.cfg.staleAfterS;
      var blitter = this._blitter, uctx = this._uctx;
      uctx.setTransform(DPR, 0, 0, DPR, 0, 0);
      uctx.clearRect(0, 0, W, H);
      if (this.visible.zones && this.visible.venue && v.zoom >= 12) this._drawZones(uctx, v);
      for (var u = 0; u < this.overlays.length; u++) this.overlays[u].drawUnder(uctx, v);
      blitter.begin(ctx, this._canvas.width, this._canvas.height);
      this._hn = 0;
      this._hobj.length = 0;
      var labels = v.zoom >= LABEL_ZOOM ? [] : null;
      var drawn = 0, bubbles = null;
      for (var k = 0; k < KINDS.length; k++) {
        var kind = KINDS[k];
        if (!this.visible[kind]) continue;
        if (kind === 'venue' && v.zoom < C.cfg.clusterBelowZoom) {
          bubbles = [];
          drawn += this._blitClusters(v, bubbles);
          continue;
        }
        var moving = MOVING[kind] === true, it = this.store.kinds[kind].values();
        var compact = moving && v.zoom < COMPACT_BELOW_ZOOM;
        for (var r = it.next(); !r.done; r = it.next()) {
          var e = r.value;
          if (!e.has) continue;
          var x = e.wx * S - ox, y = e.wy * S - oy;
          if (x < -24 || y < -24 || x > W + 24 || y > H + 24) continue;
          var st = entityStyle(e, moving && (e.t !== e.t || nowS - e.t > staleAfter), compact);
          blitter.blit(blitSprite(st, moving ? e.hb : -1), Math.round(x * DPR), Math.round(y * DPR));
          this._hit(x, y + st.hy, st.r, e);
          drawn++;
          if (labels && labels.length < 3 * MAX_LABELS) labels.push(x, y, e);
        }
      }
      blitter.end(ctx);
      ctx.setTransform(DPR, 0, 0, DPR, 0, 0);
      if (bubbles) {
        for (var j = 0; j < bubbles.length; j += 4) {
          this._drawCluster(ctx, bubbles[j], bubbles[j + 1], bubbles[j + 2], bubbles[j + 3]);
          this._hit(bubbles[j], bubbles[j + 1], bubbles[j + 2], bubbles[j + 3]);
        }
      }
      if (labels) this._drawLabels(ctx, labels);
      for (var o = 0; o < this.overlays.length; o++) this.overlays[o].drawOver(ctx, v);
      this._drawSelection(ctx, v);
      this.drawnCount = drawn;
      this.lastDrawMs = performance.now() - t0;
    },

    _drawLabels: function (ctx, labels) {
      ctx.font = '12px "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(255,255,255,0.92)';
      ctx.fillStyle = '#111827';
      for (var i = 0; i < labels.length; i += 3) {
        var text = labelOf(labels[i + 2]);
        if (!text) continue;
        ctx.strokeText(text, labels[i] + 12, labels[i + 1]);
        ctx.fillText(text, labels[i] + 12, labels[i + 1]);
      }
    },

    _drawZones: function (ctx, v) {
      var zones = C.cfg.venueZones || {}, it = this.store.kinds.venue.values();
      for (var r = it.next(); !r.done; r = it.next()) {
        var e = r.value, z = zones[e.f.grade];
        if (!e.has || !z) continue;
        var x = e.wx * v.S - v.ox, y = e.wy * v.S - v.oy;
        // metres per pixel at this latitude
        var mpp = 40075016.686 * Math.cos(e.lat * Math.PI / 180) / v.S;
        var rad = z.radius / mpp;
        if (x < -rad || y < -rad || x > v.W + rad || y > v.H + rad) continue;
        var colour = GRADE_COLOURS[e.f.grade] || '#6b7280';
        ctx.beginPath();
        ctx.arc(x, y, rad, 0, 2 * Math.PI);
        ctx.globalAlpha = 0.12;
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.globalAlpha = 0.7;
        ctx.lineWidth = 1;
        ctx.strokeStyle = colour;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    },

    _clusterList: function (zoom) {
      var key = zoom + ':' + this.store.venueVersion;
      if (this._clusterKey === key) return this._clusters;
      var S = 256 * Math.pow(2, zoom), cell = 56, cells = new Map();
      var it = this.store.kinds.venue.values();
      for (var r = it.next(); !r.done; r = it.next()) {
        var e = r.value;
        if (!e.has) continue;
        var px = e.wx * S, py = e.wy * S;
        var ck = Math.floor(px / cell) * 4194304 + Math.floor(py / cell);
        var c = cells.get(ck);
        if (!c) {
          c = { n: 0, sx: 0, sy: 0, g: { A: 0, B: 0, C: 0, D: 0 }, members: [] };
          cells.set(ck, c);
        }
        c.n++; c.sx += e.wx; c.sy += e.wy;
        if (c.g[e.f.grade] !== undefined) c.g[e.f.grade]++;
        c.members.push(e);
      }
      var out = [];
      cells.forEach(function (c) {
        if (c.n === 1) out.push({ single: c.members[0] });
        else out.push({ cluster: true, n: c.n, wx: c.sx / c.n, wy: c.sy / c.n, g: c.g,
                        members: c.members });
      });
      this._clusterKey = key;
      this._clusters = out;
      return out;
    },

    /** Blit single venues; collect cluster bubbles [x, y, radius, item, …] to draw later. */
    _blitClusters: function (v, bubbles) {
      var list = this._clusterList(v.zoom), drawn = 0;
      for (var i = 0; i < list.length; i++) {
        var item = list[i];
        if (item.single) {
          var e = item.single, x0 = e.wx * v.S - v.ox, y0 = e.wy * v.S - v.oy;
          if (x0 < -24 || y0 < -24 || x0 > v.W + 24 || y0 > v.H + 24) continue;
          var st = entityStyle(e, false);
          this._blitter.blit(blitSprite(st, -1), Math.round(x0 * DPR), Math.round(y0 * DPR));
          this._hit(x0, y0, st.r, e);
          drawn++;
          continue;
        }
        var x = item.wx * v.S - v.ox, y = item.wy * v.S - v.oy;
        var rad = 11 + 4 * Math.log(item.n) / Math.LN10;
        if (x < -rad || y < -rad || x > v.W + rad || y > v.H + rad) continue;
        bubbles.push(x, y, rad, item);
        drawn++;
      }
      return drawn;
    },

    _drawCluster: function (ctx, x, y, rad, item) {
      var start = -Math.PI / 2, grades = ['D', 'C', 'B', 'A'], counted = 0;
      ctx.lineWidth = 5;
      for (var i = 0; i < grades.length; i++) {
        var n = item.g[grades[i]];
        if (!n) continue;
        var end = start + 2 * Math.PI * n / item.n;
        ctx.beginPath();
        ctx.arc(x, y, rad - 2.5, start, end);
        ctx.strokeStyle = GRADE_COLOURS[grades[i]];
        ctx.stroke();
        start = end;
        counted += n;
      }
      if (counted < item.n) {
        ctx.beginPath();
        ctx.arc(x, y, rad - 2.5, start, 1.5 * Math.PI);
        ctx.strokeStyle = '#6b7280';
        ctx.stroke();
      }
      ctx.beginPath();
      ctx.arc(x, y, rad - 5, 0, 2 * Math.PI);
      ctx.fillStyle = 'rgba(255,255,255,0.95)';
      ctx.fill();
      ctx.fillStyle = '#111827';
      ctx.font = 'bold 11px "Noto Sans CJK SC", sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(String(item.n), x, y + 0.5);
    },

    _drawSelection: function (ctx, v) {
      var s = C.selection;
      if (!s) return;
      var e = this.store.get(s.kind, s.id);
      if (!e || !e.has || !this.visible[s.kind]) return;
      var st = entityStyle(e, false, MOVING[e.kind] === true && v.zoom < COMPACT_BELOW_ZOOM);
      var x = e.wx * v.S - v.ox, y = e.wy * v.S - v.oy + st.hy;
      ctx.beginPath();
      ctx.arc(x, y, st.r + 5, 0, 2 * Math.PI);
      ctx.lineWidth = 5;
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.stroke();
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = '#0f172a';
      ctx.stroke();
    },

    /** The topmost drawn thing at a container point: an entity, a cluster, or null. */
    hitTest: function (containerPoint) {
      if (!this._bounds || !this._map) return null;
      var p = this._map.containerPointToLayerPoint(containerPoint).subtract(this._bounds.min);
      for (var i = this._hn - 1; i >= 0; i--) {
        var dx = this._hx[i] - p.x, dy = this._hy[i] - p.y, r = this._hr[i];
        if (dx * dx + dy * dy <= r * r) return this._hobj[i];
      }
      return null;
    },

    /** Where the last redraw put an entity (container pixels), or null. */
    drawnAt: function (e) {
      for (var i = 0; i < this._hn; i++) {
        if (this._hobj[i] !== e) continue;
        var p = this._map.layerPointToContainerPoint(
          this._bounds.min.add(L.point(this._hx[i], this._hy[i])));
        return [p.x, p.y];
      }
      return null;
    },

    /** Whether an entity was drawn in the last redraw. */
    wasDrawn: function (e) {
      for (var i = 0; i < this._hn; i++) {
        var o = this._hobj[i];
        if (o === e || (o.cluster && o.members.indexOf(e) >= 0)) return true;
      }
      return false;
    }
  });
}());
