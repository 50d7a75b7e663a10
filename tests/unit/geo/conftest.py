"""Fixtures of the geo tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def tile_kit() -> Any:
    """Writers of MBTiles/PMTiles test files (tilefiles.py beside this file, loaded by path:
    the test directories are not packages)."""
    path = Path(__file__).with_name("tilefiles.py")
    spec = importlib.util.spec_from_file_location("_cedc_tilefiles", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
