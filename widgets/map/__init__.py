"""The one map (一张图): Leaflet in QtWebEngine, served from resources/ by a custom scheme."""
