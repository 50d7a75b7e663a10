"""Users and the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow
from models.enums import Role


class User(Base):
    """A console user. ``jurisdiction`` is ``city`` or a district adcode."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[Role] = mapped_column(str_enum(Role, 16))
    jurisdiction: Mapped[str] = mapped_column(String(6), default="city")
    #: Set once login exists (a later release); None means the account cannot log in.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who did what, when, from which console. Append-only.

    The database enforces it (migration 0006): UPDATE and DELETE on ``audit_event`` are
    refused by triggers (``RAISE(ABORT)`` on SQLite, an exception from a trigger function on
    PostgreSQL, which also refuses TRUNCATE). Never change or delete a row; record a new event.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(40))
    console_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_kind: Mapped[str] = mapped_column(String(30), default="")
    target_id: Mapped[str] = mapped_column(String(40), default="")
    #: JSON object with the action's details.
    detail: Mapped[str] = mapped_column(Text, default="{}")
