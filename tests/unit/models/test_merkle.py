"""RFC 6962 Merkle trees: the reference vectors, and proofs that verify and only then."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    mth,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# The Certificate Transparency reference test leaves and the roots of their prefixes.
_LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243",
                                       "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _hashes(n: int) -> list[bytes]:
    return [leaf_hash(f"leaf {i}".encode()) for i in range(n)]


def test_leaf_and_node_hashes_are_domain_separated_as_rfc_6962() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert mth([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_roots_match_the_reference_vectors() -> None:
    hashes = [leaf_hash(leaf) for leaf in _LEAVES]
    assert [mth(hashes[:n]).hex() for n in range(1, 9)] == _ROOTS
    frontier = Frontier()
    for n, h in enumerate(hashes, 1):
        frontier.append(h)
        assert frontier.root().hex() == _ROOTS[n - 1]


@given(st.integers(1, 70), st.data())
def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not(n: int,
                                                                 data: st.DataObject) -> None:
    hashes = _hashes(n)
    root = mth(hashes)
    m = data.draw(st.integers(0, n - 1))
    path = inclusion_path(m, hashes)
    assert verify_inclusion(hashes[m], m, n, path, root)
    other = leaf_hash(b"forged")
    assert not verify_inclusion(other, m, n, path, root)
    if n > 1:
        assert not verify_inclusion(hashes[m], (m + 1) % n, n, path, root)
    if path:
        bad = [*path]
        bad[0] = bytes(32)
        assert not verify_inclusion(hashes[m], m, n, bad, root)


@given(st.integers(1, 70), st.data())
def test_consistency_proofs_verify_for_prefixes_only(n: int, data: st.DataObject) -> None:
    hashes = _hashes(n)
    m = data.draw(st.integers(1, n))
    proof = consistency_proof(m, hashes)
    assert verify_consistency(m, n, mth(hashes[:m]), mth(hashes), proof)
    if m < n:
        # the old tree rewritten (one leaf altered) is no longer a prefix
        rewritten = [*hashes[:m - 1], leaf_hash(b"altered")]
        assert not verify_consistency(m, n, mth(rewritten), mth(hashes), proof)
        # a new tree that rewrote history does not extend the old one
        changed = [*hashes]
        changed[m - 1] = leaf_hash(b"altered")
        assert not verify_consistency(m, n, mth(hashes[:m]), mth(changed), proof)


def test_a_reordered_tree_has_another_root() -> None:
    hashes = _hashes(9)
    swapped = [*hashes]
    swapped[3], swapped[4] = swapped[4], swapped[3]
    assert mth(swapped) != mth(hashes)


@given(st.integers(0, 200))
def test_the_frontier_survives_a_dump_and_load(n: int) -> None:
    frontier = Frontier()
    for h in _hashes(n):
        frontier.append(h)
    again = Frontier.load(frontier.dump())
    assert again.size == n and again.root() == mth(_hashes(n))


def test_a_damaged_frontier_is_refused() -> None:
    with pytest.raises(ValueError, match="not a Merkle frontier"):
        Frontier.load([[2, "00" * 32], [4, "00" * 32]])
