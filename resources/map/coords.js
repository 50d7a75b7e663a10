/* WGS-84 -> GCJ-02 for drawing on GCJ-02 base maps. The same published formula as
   app/geo/coords.py (which is the reference and is tested against known points); the page only
   converts forward, Python converts clicks and drawn shapes back. */
(function () {
  'use strict';
  var C = window.CEDC = window.CEDC || {};
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;

  function outside(lat, lon) {
    return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }
  function seriesLat(x, y) {
    var v = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    v += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    v += (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3;
    v += (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
    return v;
  }
  function seriesLon(x, y) {
    var v = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    v += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    v += (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3;
    v += (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
    return v;
  }
  function wgsToGcj(lat, lon) {
    if (outside(lat, lon)) return [lat, lon];
    var x = lon - 105, y = lat - 35, rad = lat / 180 * PI, s = Math.sin(rad);
    var w = 1 - EE * s * s, sw = Math.sqrt(w);
    var dlat = seriesLat(x, y) * 180 / ((A * (1 - EE)) / (w * sw) * PI);
    var dlon = seriesLon(x, y) * 180 / (A / sw * Math.cos(rad) * PI);
    return [lat + dlat, lon + dlon];
  }
  function identity(lat, lon) { return [lat, lon]; }

  C.coords = {
    wgsToGcj: wgsToGcj,
    mode: 'wgs84',
    /** Stored (WGS-84) -> drawn coordinates, per the base map's datum. */
    toDisplay: identity,
    setMode: function (mode) {
      this.mode = mode === 'gcj02' ? 'gcj02' : 'wgs84';
      this.toDisplay = this.mode === 'gcj02' ? wgsToGcj : identity;
    }
  };
}());
