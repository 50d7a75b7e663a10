#!/usr/bin/env python3
"""Standalone verifier of one exported evidence item (文化市场综合执法指挥调度台 证据核验).

Needs only Python 3.9+ and, where the local OpenSSL has no SM3, the ``gmssl`` package
(``pip install gmssl==3.2.2``). It does not need the console, its database or its network.

    python3 verify_evidence.py [EXPORT_DIR] [--sm3 auto|openssl|gmssl]

Checks: the evidence file's size, SHA-256 and SM3 against the ledger leaf; the leaf's
inclusion in the signed Merkle tree (RFC 6962: leaf hash SHA-256(0x00||leaf), node hash
SHA-256(0x01||left||right)); the tree head's Ed25519 signature (RFC 8032, verified here in
pure Python); the consistency proofs from earlier (anchored) tree heads. Exit status 0 when
everything verifies, 1 otherwise (each failure is printed), 2 on bad usage.

This file is copied verbatim into every export; it imports nothing from the console.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

# --------------------------------------------------------------------------- hashes


def sm3_hex(data: bytes, impl: str) -> str:
    """SM3 (GB/T 32905-2016) of ``data`` with OpenSSL (hashlib) or gmssl."""
    if impl in ("auto", "openssl"):
        try:
            return hashlib.new("sm3", data).hexdigest()
        except ValueError:
            if impl == "openssl":
                raise
    from gmssl import func, sm3  # type: ignore[import-untyped]  # where OpenSSL lacks SM3

    return str(sm3.sm3_hash(func.bytes_to_list(data)))


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes],
                     root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
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
                       proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2."""
    if size1 == size2:
        return not proof and root1 == root2
    if not 0 < size1 < size2 or not proof:
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:
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


# --------------------------------------------------------------------------- Ed25519 (RFC 8032)

_P = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _recover_x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    if x2 % _P == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0) or 0
_G = (_GX, _GY, 1, _GX * _GY % _P)


def _add(p: tuple[int, int, int, int], q: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    a = (p[1] - p[0]) * (q[1] - q[0]) % _P
    b = (p[1] + p[0]) * (q[1] + q[0]) % _P
    c = 2 * p[3] * q[3] * _D % _P
    d = 2 * p[2] * q[2] % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(s: int, p: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    q = (0, 1, 1, 0)
    while s:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _equal(p: tuple[int, int, int, int], q: tuple[int, int, int, int]) -> bool:
    return (p[0] * q[2] - q[0] * p[2]) % _P == 0 and (p[1] * q[2] - q[1] * p[2]) % _P == 0


def _decompress(s: bytes) -> tuple[int, int, int, int] | None:
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 §5.1.7."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % _L
    return _equal(_mul(s, _G), _add(r, _mul(k, a)))


# --------------------------------------------------------------------------- the export

STH_CONTEXT = b"CEDC-LEDGER-STH-v1\n"


def canonical(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def sth_message(head: dict) -> bytes:
    return STH_CONTEXT + canonical({"tree_size": head["tree_size"],
                                    "root_sha256": head["root_sha256"],
                                    "timestamp": head["timestamp"], "key_id": head["key_id"]})


def verify(folder: Path, sm3_impl: str = "auto") -> list[str]:
    """Every failure found in the export at ``folder`` (empty: it verifies)."""
    failures: list[str] = []

    def load(name: str) -> dict:
        return json.loads((folder / name).read_text(encoding="utf-8"))

    try:
        leaf_bytes = (folder / "leaf.json").read_bytes()
        leaf = json.loads(leaf_bytes)
        meta = load("metadata.json")
        proof = load("inclusion_proof.json")
        head = load("tree_head.json")
        consistency = load("consistency_proofs.json")
    except (OSError, ValueError) as exc:
        return [f"the export is incomplete or unreadable: {exc}"]
    item = leaf.get("item")
    # 1. the file
    evidence = folder / "evidence" / str(leaf.get("file", ""))
    try:
        data = evidence.read_bytes()
    except OSError as exc:
        failures.append(f"item {item}: evidence file missing: {exc}")
    else:
        if len(data) != leaf.get("size"):
            failures.append(f"item {item}: file has {len(data)} bytes, the ledger recorded "
                            f"{leaf.get('size')}")
        sha = hashlib.sha256(data).hexdigest()
        if sha != leaf.get("sha256"):
            failures.append(f"item {item}: file SHA-256 {sha} differs from the ledger's "
                            f"{leaf.get('sha256')}")
        if leaf.get("sm3"):
            sm3 = sm3_hex(data, sm3_impl)
            if sm3 != leaf.get("sm3"):
                failures.append(f"item {item}: file SM3 {sm3} differs from the ledger's "
                                f"{leaf.get('sm3')}")
        else:
            failures.append(f"item {item}: the ledger recorded no SM3 for this file")
    # 2. the metadata sheet says what the leaf says
    for key in ("item", "sha256", "sm3", "size", "kind", "captured_at"):
        if meta.get(key) != leaf.get(key):
            failures.append(f"item {item}: metadata.json {key} {meta.get(key)!r} differs from "
                            f"the ledger leaf's {leaf.get(key)!r}")
    # 3. inclusion in the signed tree
    lh = leaf_hash(leaf_bytes)
    if proof.get("leaf_hash") != lh.hex():
        failures.append(f"item {item}: leaf.json does not hash to the proof's leaf hash")
    try:
        path = [bytes.fromhex(h) for h in proof["path"]]
        root = bytes.fromhex(head["root_sha256"])
        ok = (proof["tree_size"] == head["tree_size"]
              and verify_inclusion(lh, int(proof["leaf_index"]), int(head["tree_size"]), path,
                                   root))
    except (KeyError, ValueError, TypeError) as exc:
        ok = False
        failures.append(f"item {item}: inclusion proof unreadable: {exc}")
    if not ok:
        failures.append(f"item {item}: the inclusion proof does not lead to the signed root")
    # 4. the signature
    try:
        public = bytes.fromhex(head["public_key"])
        if hashlib.sha256(public).hexdigest()[:16] != head["key_id"]:
            failures.append("tree head: key id does not belong to the public key")
        if not ed25519_verify(public, sth_message(head), bytes.fromhex(head["signature"])):
            failures.append("tree head: the Ed25519 signature does not verify")
    except (KeyError, ValueError, TypeError) as exc:
        failures.append(f"tree head unreadable: {exc}")
    # 5. consistency with earlier heads
    for entry in consistency:
        try:
            first = entry["from"]
            good = verify_consistency(int(first["tree_size"]), int(head["tree_size"]),
                                      bytes.fromhex(first["root_sha256"]),
                                      bytes.fromhex(head["root_sha256"]),
                                      [bytes.fromhex(h) for h in entry["proof"]])
        except (KeyError, ValueError, TypeError) as exc:
            failures.append(f"consistency proof unreadable: {exc}")
            continue
        if not good:
            failures.append(f"the tree of {first.get('tree_size')} ({entry.get('source', '')}) "
                            "is not a prefix of the signed tree")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="verify an exported evidence item")
    parser.add_argument("folder", nargs="?", type=Path,
                        default=Path(__file__).resolve().parent)
    parser.add_argument("--sm3", choices=("auto", "openssl", "gmssl"), default="auto",
                        help="SM3 implementation (auto: OpenSSL when it has SM3, else gmssl)")
    args = parser.parse_args(argv)
    failures = verify(args.folder, args.sm3)
    if failures:
        print("核验未通过 / VERIFICATION FAILED")
        for line in failures:
            print("  - " + line)
        return 1
    leaf = json.loads((args.folder / "leaf.json").read_bytes())
    head = json.loads((args.folder / "tree_head.json").read_text(encoding="utf-8"))
    print("核验通过 / VERIFIED")
    print(f"  item {leaf['item']} {leaf['file']}  SHA-256 {leaf['sha256']}")
    print(f"  SM3 {leaf['sm3']}")
    print(f"  leaf in signed tree of {head['tree_size']}, root {head['root_sha256']}")
    print(f"  signed {head['timestamp']} by key {head['key_id']} ({head.get('console_id', '')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
