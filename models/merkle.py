"""Merkle trees as RFC 6962 (Certificate Transparency) defines them, over SHA-256.

Leaf hash ``H(0x00 || leaf)``, node hash ``H(0x01 || left || right)``; ``mth`` is the RFC's
MTH, ``inclusion_path`` its PATH(m, D[n]), ``consistency_proof`` its PROOF(m, D[n]). The
verifiers are the iterative algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, which accept
exactly the proofs RFC 6962 produces. The functions work on leaf *hashes* (already
``H(0x00 || leaf)``), so a caller hashes each leaf once.

:class:`Frontier` keeps the right edge of the tree (the roots of its perfect subtrees), so an
append costs O(log n) and the root of every prefix is known while leaves stream past.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    """``SHA-256(0x00 || leaf)``."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def mth(hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def inclusion_path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf ``m`` (0-based) in the tree of ``hashes``."""
    n = len(hashes)
    if not 0 <= m < n:
        raise ValueError(f"leaf {m} is not in a tree of {n}")
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*inclusion_path(m, hashes[:k]), mth(hashes[k:])]
    return [*inclusion_path(m - k, hashes[k:]), mth(hashes[:k])]


def consistency_proof(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): proves the tree of the first ``m`` leaves is a prefix of ``hashes``."""
    n = len(hashes)
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    return _subproof(m, hashes, True)


def _subproof(m: int, hashes: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [mth(hashes)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete), mth(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), mth(hashes[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes],
                     root: bytes) -> bool:
    """Whether ``path`` proves the leaf *hash* ``leaf`` is leaf ``index`` of the tree
    ``(size, root)`` (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes,
                       proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` proves tree ``(size1, root1)`` is a prefix of ``(size2, root2)``
    (RFC 9162 §2.1.4.2)."""
    if size1 == size2:
        return not proof and root1 == root2
    if not 0 < size1 < size2 or not proof:
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # a power of two: root1 itself starts the path
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


class Frontier:
    """The right edge of a growing tree: the roots of its perfect subtrees, largest first."""

    __slots__ = ("_stack", "size")

    def __init__(self, stack: Sequence[tuple[int, bytes]] = ()) -> None:
        self._stack: list[tuple[int, bytes]] = list(stack)
        self.size = sum(s for s, _ in self._stack)

    def append(self, leaf: bytes) -> None:
        """Add one leaf *hash*."""
        self._stack.append((1, leaf))
        self.size += 1
        while len(self._stack) > 1 and self._stack[-1][0] == self._stack[-2][0]:
            (s, right), (_, left) = self._stack.pop(), self._stack.pop()
            self._stack.append((2 * s, node_hash(left, right)))

    def root(self) -> bytes:
        """MTH of the leaves so far."""
        if not self._stack:
            return EMPTY_ROOT
        r = self._stack[-1][1]
        for _, h in reversed(self._stack[:-1]):
            r = node_hash(h, r)
        return r

    def dump(self) -> list[list[object]]:
        """A JSON-able form: ``[[size, hex], …]``."""
        return [[s, h.hex()] for s, h in self._stack]

    @classmethod
    def load(cls, data: Sequence[Sequence[object]]) -> Frontier:
        """Inverse of :meth:`dump`; refuses a stack that is not a tree's right edge."""
        stack = [(int(str(s)), bytes.fromhex(str(h))) for s, h in data]
        sizes = [s for s, _ in stack]
        if any(s & (s - 1) or s <= 0 for s in sizes) or sizes != sorted(set(sizes),
                                                                        reverse=True):
            raise ValueError(f"not a Merkle frontier: sizes {sizes}")
        return cls(stack)
