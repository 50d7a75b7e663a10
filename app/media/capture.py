"""Evidence capture: snapshot files, clip hashing, and the evidence row.

Every file is hashed (SHA-256) as soon as it is complete, before anyone can touch it, and
the hash goes into ``evidence_item`` together with the time range the content covers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cv2
import numpy as np
from sqlalchemy.orm import Session

from app.media.reader import ClipResult
from app.media.types import Capture, MediaError
from app.services.incidents import Actor, record_audit
from models import EvidenceItem
from models.base import utcnow
from models.enums import EvidenceKind

log = logging.getLogger("app.media.capture")

SHANGHAI = ZoneInfo("Asia/Shanghai")
_CAPTION_H = 28


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def evidence_base_path(evidence_dir: Path, source_id: int, kind: EvidenceKind,
                       when: dt.datetime) -> Path:
    """``<dir>/<Beijing date>/src<id>-<Beijing time>-<kind>-<token>`` without a suffix.

    The random token makes the name unique without looking at the disk (this runs on the
    UI thread); files are created exclusively, so a clash would fail rather than overwrite.
    """
    local = when.astimezone(SHANGHAI)
    stem = f"src{source_id}-{local.strftime('%H%M%S-%f')[:-3]}-{kind.value}-{secrets.token_hex(3)}"
    return evidence_dir / local.strftime("%Y%m%d") / stem


def caption_band(bgr: np.ndarray, text: str) -> np.ndarray:
    """The picture with a caption band added below it; no pixel of the scene is covered."""
    h, w = bgr.shape[:2]
    out = np.zeros((h + _CAPTION_H, w, 3), np.uint8)
    out[:h] = bgr
    cv2.putText(out, text, (6, h + _CAPTION_H - 9), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                (255, 255, 255), 1, cv2.LINE_AA)
    return out


def write_snapshot(picture: Any, utc: dt.datetime, source_id: int, base_path: Path) -> Capture:
    """Save a decoded picture (an ``av.VideoFrame``) as PNG with a time caption and hash it.

    PNG keeps exactly the decoded pixels; the caption (source number and Beijing time) sits
    in a band below the picture.
    """
    bgr = picture.to_ndarray(format="bgr24")
    local = utc.astimezone(SHANGHAI)
    text = f"SRC {source_id}  {local.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC+8"
    ok, png = cv2.imencode(".png", caption_band(bgr, text), [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:  # pragma: no cover - encoding a valid array does not fail
        raise MediaError("PNG encoding failed")
    path = base_path.with_name(base_path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = png.tobytes()
    with path.open("xb") as fh:
        fh.write(data)
    captured = utcnow()
    digest = hashlib.sha256(data).hexdigest()
    log.info("snapshot %s sha256 %s", path, digest,
             extra={"event": "snapshot", "source_id": source_id, "sha256": digest})
    return Capture(EvidenceKind.SNAPSHOT, source_id, path, digest, len(data), captured,
                   utc, utc)


def finish_clip(result: ClipResult, source_id: int) -> Capture:
    """Hash a finished clip file."""
    digest = sha256_file(result.path)
    size = result.path.stat().st_size
    log.info("clip %s sha256 %s (%d bytes)", result.path, digest, size,
             extra={"event": "clip", "source_id": source_id, "sha256": digest})
    return Capture(EvidenceKind.CLIP, source_id, result.path, digest, size, utcnow(),
                   result.content_start, result.content_end)


def record_evidence(session: Session, capture: Capture, *, actor: Actor,
                    incident_id: int | None = None, note: str = "") -> EvidenceItem:
    """Add the evidence row for ``capture`` (and an audit event) in the caller's transaction.

    Use through the database writer: ``writer.submit(partial(record_evidence, capture=…,
    actor=…))``. The row is flushed, so its ``id`` is set on return.
    """
    item = EvidenceItem(
        kind=capture.kind, path=str(capture.path), sha256=capture.sha256,
        size_bytes=capture.size_bytes, captured_at=capture.captured_at,
        content_start=capture.content_start, content_end=capture.content_end,
        media_source_id=capture.source_id, incident_id=incident_id,
        captured_by=actor.name, console_id=actor.console_id, note=note,
    )
    session.add(item)
    session.flush()
    record_audit(session, actor, "evidence.capture", "evidence_item", str(item.id),
                 kind=capture.kind.value, sha256=capture.sha256, path=str(capture.path),
                 media_source_id=capture.source_id, incident_id=incident_id)
    return item
