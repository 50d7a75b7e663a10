"""Video and sound from body cameras and venue monitoring devices.

* :mod:`app.media.service`: :class:`MediaService`, sources opened once and shared; pictures
  for the wall, audio for the speech analysis, evidence capture.
* :mod:`app.media.reader`: one source's worker thread (PyAV demux/decode, OpenCV images).
* :mod:`app.media.recorder`: the recorder check (units on scene without a live camera).
* :mod:`app.media.servers`, :mod:`app.media.testmedia`, :mod:`app.media.demo`: generated
  media served over real protocols on loopback for the demo, tests and benchmarks.
* :mod:`app.media.wallstate`: dropped entities and saved wall layouts.

``python -m app.media generate`` fills the media cache; ``python -m app.media serve`` runs
the demo media server on its own (the benchmark serves from a separate process this way).
"""

from app.media.types import Capture, MediaError, SourceSpec, SourceState, SourceStats

__all__ = ["Capture", "MediaError", "SourceSpec", "SourceState", "SourceStats"]
