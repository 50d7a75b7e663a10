"""A real RTSP server for the media tests: Debian's GStreamer RTSP server, a test pattern.

Runs under Debian's ``/usr/bin/python3`` (``gi`` is not in the virtual environment)::

    /usr/bin/python3 rtsp_server.py --port 0 --codec h264|h265|h265-sdp [--audio] [--path /cam]

It serves a live ``videotestsrc`` encoded by x264enc / x265enc (one key frame a second,
parameter sets repeated in band, or for ``h265-sdp`` only in the SDP) with an optional PCMU
(G.711) audio track, on 127.0.0.1, one pipeline shared by every client. Once serving it
prints one JSON line, ``{"ready": true, "port": P, "url": "rtsp://127.0.0.1:P/cam"}``, and
runs until SIGTERM or SIGINT. With ``--port 0`` the system picks the port; pass that port
again to come back on it.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

_ENCODERS = {
    # zerolatency: no B-frames, so packets arrive in decoding order with pts == dts; it also
    # cuts each picture into slices, which RTP hands over as separate packets
    "h264": ("x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} "
             "bitrate=800 ! video/x-h264,profile=baseline ! "
             "rtph264pay name=pay0 pt=96 config-interval=-1"),
    "h265": ("x265enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} "
             "bitrate=800 option-string=repeat-headers=1 ! "
             "rtph265pay name=pay0 pt=96 config-interval=-1"),
    # VPS/SPS/PPS only in the SDP (sprop-vps/sps/pps) and once at the start, as some cameras
    "h265-sdp": ("x265enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} "
                 "bitrate=800 ! rtph265pay name=pay0 pt=96 config-interval=0"),
}


def launch_line(codec: str, width: int, height: int, fps: int, audio: bool) -> str:
    """The gst-launch description of the served media (payloaders named pay0, pay1).

    ``codec``: ``h264``, ``h265`` (parameter sets before every key frame) or ``h265-sdp``
    (parameter sets only in the session description).
    """
    video = (f"videotestsrc is-live=true pattern=ball ! "
             f"video/x-raw,width={width},height={height},framerate={fps}/1 ! "
             f"videoconvert ! " + _ENCODERS[codec].format(gop=fps))
    if audio:
        video += (" audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! "
                  "audioresample ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! "
                  "rtppcmupay name=pay1 pt=0")
    return f"( {video} )"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--codec", choices=sorted(_ENCODERS), default="h264")
    parser.add_argument("--path", default="/cam")
    parser.add_argument("--size", default="320x240")
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--audio", action="store_true")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))

    Gst.init(None)
    missing = [name for name in ("x264enc" if args.codec == "h264" else "x265enc",
                                 "videotestsrc", "mulawenc")
               if Gst.ElementFactory.find(name) is None]
    if missing:
        print(json.dumps({"ready": False, "error": f"missing GStreamer elements: {missing}"}),
              flush=True)
        return 2
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch_line(args.codec, width, height, args.fps, args.audio))
    factory.set_shared(True)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(json.dumps({"ready": False, "error": f"cannot listen on port {args.port}"}),
              flush=True)
        return 1
    port = server.get_bound_port()
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(json.dumps({"ready": True, "port": port,
                      "url": f"rtsp://127.0.0.1:{port}{args.path}"}), flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
