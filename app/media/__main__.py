"""``python -m app.media generate|serve``: make the demo media, or serve it on loopback."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path

from app.media.servers import DemoMediaServer
from app.media.testmedia import DEMO_BODYCAMS, DEMO_VENUES, ClipRecipe, MediaCache


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m app.media", description=__doc__)
    parser.add_argument("--cache", type=Path, help="media cache folder (default: user cache)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("generate", help="generate the demo clips into the cache")
    serve = sub.add_parser("serve", help="serve the demo clips until interrupted")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--urls-file", type=Path,
                       help="also write the URLs (JSON) to this file once serving")
    serve.add_argument("--bench", action="store_true",
                       help="serve only the 16 s benchmark clip (no speech)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    cache = MediaCache(args.cache)
    if args.command == "generate":
        for clip in cache.all((*DEMO_BODYCAMS, *DEMO_VENUES)):
            print(f"{clip.recipe.name}: {clip.mp4} ({clip.seconds} s)")
        return 0
    clips = [cache.clip(ClipRecipe("bench", "BENCH", 16, "checker", seed=5))] if args.bench \
        else None
    server = DemoMediaServer(clips, port=args.port, cache=cache)
    urls = server.start()
    print(json.dumps(urls), flush=True)
    if args.urls_file is not None:
        tmp = args.urls_file.with_name(args.urls_file.name + ".tmp")
        tmp.write_text(json.dumps(urls), encoding="utf-8")
        tmp.replace(args.urls_file)  # whole or not at all
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
