"""The demo's body cameras and key venues play the loopback demo media.

:func:`attach_demo_sources` gives every body camera and every key venue of a seeded world a
``media_source`` pointing at a :class:`~app.media.servers.DemoMediaServer` stream. Body
cameras get HTTP-FLV (with sound) or MJPEG; about one in ten is switched off (its stream
answers 503), so the recorder check has something to find. Key venues get HLS with Mandarin
speech, a few play a local file. Running it again (a new server port) updates the addresses.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.media.servers import demo_kind
from models import BodyCamera, MediaSource, Venue
from models.enums import MediaKind, MediaOwnerKind, VenueClass

log = logging.getLogger("app.media.demo")

#: Every n-th body camera is off (its recorder is not running).
OFFLINE_EVERY = 10


def _choices(urls: Mapping[str, str], pattern: str) -> list[str]:
    return sorted(n for n in urls if re.fullmatch(pattern, n))


def attach_demo_sources(session: Session, urls: Mapping[str, str]) -> int:
    """Create or update the demo's sources from ``DemoMediaServer.start()``'s mapping.

    Returns how many sources were created or updated. One transaction; the caller commits
    (run it through the database writer).
    """
    cams = _choices(urls, r"bodycam-\d+-(flv|mjpeg)") or _choices(urls, r".+-(flv|mjpeg)")
    venues = _choices(urls, r"venue-\d+-(hls|file)") or _choices(urls, r".+-(hls|file)")
    if not cams or not venues:
        raise ValueError("the demo media server offers no camera or venue streams")
    by_id = {s.id: s for s in session.scalars(select(MediaSource))}
    changed = 0
    for i, cam in enumerate(session.scalars(select(BodyCamera).order_by(BodyCamera.id))):
        if "offline" in urls and i % OFFLINE_EVERY == OFFLINE_EVERY - 1:
            name = "offline"
        else:
            # alternate clip and protocol: two FLV (with sound) for every MJPEG
            clip = cams[i % len(cams)].rsplit("-", 1)[0]
            proto = "mjpeg" if i % 3 == 2 else "flv"
            name = f"{clip}-{proto}" if f"{clip}-{proto}" in urls else cams[i % len(cams)]
        kind = demo_kind(name)
        src = by_id.get(cam.media_source_id) if cam.media_source_id else None
        if src is None:
            src = MediaSource(owner_kind=MediaOwnerKind.BODY_CAMERA, owner_id=cam.id)
            session.add(src)
        src.name = f"执法记录仪 {cam.serial}"
        src.url, src.kind = urls[name], kind
        src.has_audio = kind is not MediaKind.HTTP_MJPEG
        session.flush()
        cam.media_source_id = src.id
        changed += 1
    existing = {
        s.owner_id: s for s in by_id.values()
        if s.owner_kind is MediaOwnerKind.VENUE and s.owner_id is not None
    }
    key_venues = session.scalars(
        select(Venue).where(Venue.venue_class == VenueClass.KEY).order_by(Venue.id))
    for i, venue in enumerate(key_venues):
        clip = venues[i % len(venues)].rsplit("-", 1)[0]
        proto = "file" if i % 4 == 3 else "hls"
        name = f"{clip}-{proto}" if f"{clip}-{proto}" in urls else venues[i % len(venues)]
        src = existing.get(venue.id)
        if src is None:
            src = MediaSource(owner_kind=MediaOwnerKind.VENUE, owner_id=venue.id)
            session.add(src)
        src.name = f"{venue.name} 舞台"
        src.url, src.kind, src.has_audio = urls[name], demo_kind(name), True
        changed += 1
    session.flush()
    log.info("demo media: %d sources attached", changed,
             extra={"event": "demo_media_attached", "sources": changed})
    return changed
