"""Where the console keeps its files.

Per-user directories from platformdirs; ``CEDC_HOME`` puts everything under one folder
instead (portable installs, tests, the demo's throw-away worlds).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "culture-dispatch-console"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The console's directories; :meth:`ensure` creates them."""

    config_dir: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        """From ``CEDC_HOME`` when set, otherwise the platform's per-user directories."""
        home = os.environ.get("CEDC_HOME")
        if home:
            base = Path(home).expanduser()
            return cls(base / "config", base / "data", base / "log", base / "cache")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        )

    @property
    def settings_file(self) -> Path:
        """The settings file (TOML)."""
        return self.config_dir / "settings.toml"

    @property
    def database_file(self) -> Path:
        """The embedded SQLite database."""
        return self.data_dir / "console.sqlite3"

    def ensure(self) -> AppPaths:
        """Create the directories (idempotent)."""
        for d in (self.config_dir, self.data_dir, self.log_dir, self.cache_dir):
            d.mkdir(parents=True, exist_ok=True)
        return self
