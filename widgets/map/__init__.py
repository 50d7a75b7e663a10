"""The one map (一张图): a Leaflet page in QtWebEngine served from resources/ through a custom scheme."""
