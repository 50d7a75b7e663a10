"""SM3 (GB/T 32905-2016) and SHA-256 of evidence files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from models.digests import file_digests, openssl_has_sm3, sm3_hex

_VECTORS = {  # GB/T 32905-2016, appendix A
    b"abc": "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
    b"abcd" * 16: "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
}


@pytest.mark.parametrize("implementation", ["gmssl", "auto"])
def test_sm3_matches_the_standard_vectors(implementation: str) -> None:
    for data, expected in _VECTORS.items():
        assert sm3_hex(data, implementation=implementation) == expected


def test_openssl_and_gmssl_agree() -> None:
    if not openssl_has_sm3():
        pytest.skip("this OpenSSL has no SM3 (gmssl is used alone)")
    for size in (0, 1, 55, 56, 64, 65, 4097):
        data = os.urandom(size)
        assert sm3_hex(data, implementation="openssl") == sm3_hex(data, implementation="gmssl")


def test_a_file_is_hashed_both_ways_in_one_read(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 7)
    path = tmp_path / "clip.ts"
    path.write_bytes(data)
    sha, sm3 = file_digests(path, chunk=1 << 20)
    assert sha == hashlib.sha256(data).hexdigest()
    assert sm3 == sm3_hex(data)
