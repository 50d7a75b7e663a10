"""WGS-84 ↔ GCJ-02 ("Mars coordinates") conversion.

GCJ-02 is the obfuscated datum that AMap and Tencent tiles are drawn in. The forward transform
(WGS-84 → GCJ-02) is the published formula: an offset computed from two polynomial-plus-sine
series on (lon − 105°, lat − 35°), scaled to degrees on the Krasovsky 1940 ellipsoid
(a = 6 378 245 m, e² = 0.006 693 421 622 965 943). Outside a bounding box of China the datum is
plain WGS-84 and the transform is the identity.

The inverse has no closed form. :func:`gcj02_to_wgs84` solves it by fixed-point iteration
(the offset changes by less than 10⁻⁵ per metre, so each step gains about five digits); the
result is exact to far below a centimetre.

The console stores WGS-84 only; convert just before drawing and just after reading a click.
"""

from __future__ import annotations

import math

#: Semi-major axis of the Krasovsky 1940 ellipsoid (metres), used by the GCJ-02 formula.
KRASOVSKY_A = 6378245.0
#: First eccentricity squared of the Krasovsky 1940 ellipsoid.
KRASOVSKY_EE = 0.00669342162296594323

#: The rough box outside which GCJ-02 equals WGS-84 (lon/lat degrees, the published limits).
CHINA_LON_MIN, CHINA_LON_MAX = 72.004, 137.8347
CHINA_LAT_MIN, CHINA_LAT_MAX = 0.8293, 55.8271

_PI = math.pi
_INVERSE_TOLERANCE_DEG = 1e-11  # about 1 µm
_INVERSE_MAX_STEPS = 30


def outside_china(lat: float, lon: float) -> bool:
    """Whether (lat, lon) lies outside the box where GCJ-02 differs from WGS-84."""
    return not (CHINA_LON_MIN <= lon <= CHINA_LON_MAX and CHINA_LAT_MIN <= lat <= CHINA_LAT_MAX)


def _series_lat(x: float, y: float) -> float:
    value = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * x * _PI) + 20.0 * math.sin(2.0 * x * _PI)) * 2.0 / 3.0
    value += (20.0 * math.sin(y * _PI) + 40.0 * math.sin(y / 3.0 * _PI)) * 2.0 / 3.0
    value += (160.0 * math.sin(y / 12.0 * _PI) + 320.0 * math.sin(y * _PI / 30.0)) * 2.0 / 3.0
    return value


def _series_lon(x: float, y: float) -> float:
    value = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * x * _PI) + 20.0 * math.sin(2.0 * x * _PI)) * 2.0 / 3.0
    value += (20.0 * math.sin(x * _PI) + 40.0 * math.sin(x / 3.0 * _PI)) * 2.0 / 3.0
    value += (150.0 * math.sin(x / 12.0 * _PI) + 300.0 * math.sin(x / 30.0 * _PI)) * 2.0 / 3.0
    return value


def gcj02_offset(lat: float, lon: float) -> tuple[float, float]:
    """The (Δlat, Δlon) in degrees that GCJ-02 adds to the WGS-84 point (lat, lon)."""
    if outside_china(lat, lon):
        return 0.0, 0.0
    x = lon - 105.0
    y = lat - 35.0
    rad = lat / 180.0 * _PI
    s = math.sin(rad)
    w = 1.0 - KRASOVSKY_EE * s * s
    sqrt_w = math.sqrt(w)
    dlat = _series_lat(x, y) * 180.0 / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (w * sqrt_w) * _PI)
    dlon = _series_lon(x, y) * 180.0 / (KRASOVSKY_A / sqrt_w * math.cos(rad) * _PI)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Convert a WGS-84 point to GCJ-02; identity outside China. Returns (lat, lon)."""
    dlat, dlon = gcj02_offset(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Convert a GCJ-02 point back to WGS-84 (iterative, exact to < 1 µm). Returns (lat, lon)."""
    if outside_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(_INVERSE_MAX_STEPS):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        elat, elon = glat - lat, glon - lon
        wlat -= elat
        wlon -= elon
        if abs(elat) < _INVERSE_TOLERANCE_DEG and abs(elon) < _INVERSE_TOLERANCE_DEG:
            break
    return wlat, wlon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on a sphere of the WGS-84 mean radius."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2.0) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


#: Mean Earth radius (IUGG) in metres, for distances and local projections.
EARTH_RADIUS_M = 6371008.8
