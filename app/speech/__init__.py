"""Speech: venue audio, the Whisper model, batch and live transcription, recording, schedule.

No widgets here. Modules, bottom up: ``audio`` (PyAV decode, 16 kHz mono), ``engine`` (model
loading from a local directory, batched decoding, VAD), ``batch`` (whole recordings),
``streaming`` (LocalAgreement for one stream), ``live`` (the worker pool with load shedding),
``venue_stream`` / ``recorder`` (one connection per venue: record and hear), ``monitor``
(headset), ``schedule`` / ``scheduler`` (approved performances drive recording and after-show
analysis), ``service`` (the Qt adapter), ``model_install`` / ``models_cli``
(``python -m app models install``), ``settings`` (the ``[speech]`` section).
"""
