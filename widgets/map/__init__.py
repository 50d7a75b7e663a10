"""The one map (一张图): a Leaflet page in QtWebEngine served from resources/ via a custom scheme.

Public API: :class:`MapView` (the widget), :class:`MapConfig` (tiles, tick rate, language),
:class:`EntityKind`, :data:`LAYERS`, :data:`CONTEXT_ACTIONS`, and
:func:`~widgets.map.scheme.register_scheme`, which must run before the QApplication exists.
"""

from widgets.map.batch import EntityKind
from widgets.map.page import MapConfig
from widgets.map.scheme import register_scheme
from widgets.map.view import CONTEXT_ACTIONS, LAYERS, MapView

__all__ = ["CONTEXT_ACTIONS", "LAYERS", "EntityKind", "MapConfig", "MapView", "register_scheme"]
