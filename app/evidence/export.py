"""Exporting one evidence item with everything needed to check it without the console.

``DIR/`` receives:

- ``evidence/<file>``: the evidence file, byte for byte;
- ``leaf.json``: the ledger leaf, the exact bytes that were hashed;
- ``metadata.json``: the item's metadata, readable;
- ``inclusion_proof.json``: the leaf's audit path (RFC 6962 PATH) to the signed root;
- ``tree_head.json``: the newest signed tree head (Ed25519) with its public key;
- ``consistency_proofs.json``: proofs (RFC 6962 PROOF) that the tree signed when the item
  was first covered, and every anchored tree head, are prefixes of the exported tree;
- ``核验说明.pdf``: the verification sheet in Chinese;
- ``verify_evidence.py``: the standalone verifier (standard library, and gmssl where the
  local OpenSSL has no SM3).
"""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence.anchor import Anchor
from app.evidence.sth import TreeHead
from models.ledger import LedgerLeaf, LedgerTreeHead
from models.merkle import consistency_proof, inclusion_path, leaf_hash

SHANGHAI = ZoneInfo("Asia/Shanghai")
VERIFIER = Path(__file__).with_name("verify_export.py")
SHEET_NAME = "核验说明.pdf"

_KIND_ZH = {"snapshot": "视频截图", "clip": "视频片段", "recording": "录音录像分段",
            "report": "分析报告", "document": "文书", "transcript": "转写摘录及发现",
            "radio_log": "电台日志导出"}


class ExportError(RuntimeError):
    """The item cannot be exported (unknown, unsigned, or its file is gone)."""


@dataclass(frozen=True, slots=True)
class Exported:
    """What :func:`export_item` wrote."""

    folder: Path
    item: int
    tree_size: int
    files: list[Path]


def _dump(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def export_item(session: Session, item: int, out: Path, *, anchors: Anchor | None = None,
                pdf: bool = True) -> Exported:
    """Write the export of evidence item ``item`` into the new or empty folder ``out``."""
    target = session.scalars(select(LedgerLeaf).where(LedgerLeaf.item_no == item)).first()
    if target is None:
        raise ExportError(f"item {item} is not in the ledger")
    head_row = session.scalars(select(LedgerTreeHead).order_by(
        LedgerTreeHead.tree_size.desc(), LedgerTreeHead.id.desc()).limit(1)).first()
    if head_row is None or head_row.tree_size <= target.seq:
        raise ExportError(f"item {item} is not yet covered by a signed tree head "
                          "(`python -m app evidence sign`)")
    head = TreeHead.from_row(head_row)
    hashes = [leaf_hash(text.encode("utf-8")) for text in session.scalars(
        select(LedgerLeaf.leaf).where(LedgerLeaf.seq < head.tree_size).order_by(LedgerLeaf.seq))]
    if len(hashes) != head.tree_size:
        raise ExportError(f"the ledger has {len(hashes)} of the {head.tree_size} leaves its "
                          "tree head signs: run `evidence verify --all`")
    leaf_bytes = target.leaf.encode("utf-8")
    leaf = json.loads(leaf_bytes)
    source = Path(leaf["path"])
    if not source.is_file():
        raise ExportError(f"item {item}: its file {source} is not there")
    if out.exists() and any(out.iterdir()):
        raise ExportError(f"{out} is not empty")
    (out / "evidence").mkdir(parents=True, exist_ok=True)
    files = [Path(shutil.copy2(source, out / "evidence" / leaf["file"]))]
    (out / "leaf.json").write_bytes(leaf_bytes)
    files.append(out / "leaf.json")
    meta = {k: leaf[k] for k in ("item", "kind", "file", "size", "sha256", "sm3",
                                 "captured_at", "content_start", "content_end", "source",
                                 "incident", "captured_by", "console", "note")}
    meta["leaf_index"] = target.seq
    meta["original_path"] = leaf["path"]
    files.append(_dump(out / "metadata.json", meta))
    path = inclusion_path(target.seq, hashes)
    files.append(_dump(out / "inclusion_proof.json", {
        "leaf_index": target.seq, "tree_size": head.tree_size,
        "leaf_hash": leaf_hash(leaf_bytes).hex(), "path": [h.hex() for h in path],
        "algorithm": "RFC 6962 PATH; SHA-256; leaf 0x00, node 0x01"}))
    files.append(_dump(out / "tree_head.json", head.to_json()))
    earlier: list[tuple[str, TreeHead]] = []
    first = session.scalars(select(LedgerTreeHead).where(LedgerTreeHead.tree_size > target.seq)
                            .order_by(LedgerTreeHead.tree_size, LedgerTreeHead.id)
                            .limit(1)).first()
    if first is not None and first.tree_size < head.tree_size:
        earlier.append(("first signed tree head covering the item", TreeHead.from_row(first)))
    if anchors is not None:
        earlier += [(f"anchor {name}", h) for name, h in anchors.heads()
                    if 0 < h.tree_size <= head.tree_size]
    files.append(_dump(out / "consistency_proofs.json", [
        {"source": name, "from": {"tree_size": h.tree_size, "root_sha256": h.root,
                                  "timestamp": h.timestamp, "key_id": h.key_id},
         "proof": [p.hex() for p in consistency_proof(h.tree_size, hashes)]}
        for name, h in earlier]))
    verifier = out / "verify_evidence.py"
    shutil.copyfile(VERIFIER, verifier)
    files.append(verifier)
    if pdf:
        from app.analysis.report import ensure_gui_application, write_pdf

        ensure_gui_application()
        files.append(write_pdf(sheet_html(meta, head, len(path), earlier), out / SHEET_NAME,
                               title="电子证据核验说明"))
    return Exported(out, item, head.tree_size, files)


def _local(iso_text: str | None) -> str:
    if not iso_text:
        return "—"
    import datetime as dt

    at = dt.datetime.strptime(iso_text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S（北京时间）")


def sheet_html(meta: dict[str, Any], head: TreeHead, path_len: int,
               earlier: list[tuple[str, TreeHead]]) -> str:
    """The verification sheet (Chinese) as HTML for :func:`app.analysis.report.write_pdf`."""
    e = html.escape

    def row(name: str, value: object) -> str:
        return f"<tr><th align='left'>{e(name)}</th><td>{e(str(value))}</td></tr>"

    rows = "".join([
        row("证据编号", meta["item"]),
        row("证据类型", _KIND_ZH.get(str(meta["kind"]), meta["kind"])),
        row("文件名", meta["file"]),
        row("文件大小", f"{meta['size']} 字节"),
        row("SHA-256", meta["sha256"]),
        row("SM3（GB/T 32905-2016）", meta["sm3"] or "未记录"),
        row("采集时间", _local(meta["captured_at"])),
        row("内容起止", f"{_local(meta['content_start'])} 至 {_local(meta['content_end'])}"),
        row("采集人 / 调度台", f"{meta['captured_by'] or '—'} / {meta['console'] or '—'}"),
        row("关联警情", meta["incident"] if meta["incident"] is not None else "—"),
        row("备注", meta["note"] or "—"),
        row("账本叶序号", meta["leaf_index"]),
    ])
    heads = "".join([
        row("树大小（叶数）", head.tree_size),
        row("树根（SHA-256）", head.root),
        row("签名时间", _local(head.timestamp)),
        row("签名调度台", head.console_id or "—"),
        row("签名公钥（Ed25519）", head.public_key),
        row("公钥标识", head.key_id),
        row("签名", head.signature),
    ])
    prior = "".join(f"<li>{e(name)}：树大小 {h.tree_size}，树根 {e(h.root)}</li>"
                    for name, h in earlier) or "<li>无</li>"
    return f"""<html><body style="font-family: 'Noto Sans CJK SC', sans-serif; font-size: 10pt">
<h2>电子证据核验说明</h2>
<p>本材料导出自文化市场综合执法指挥调度台的防篡改证据账本。证据文件在采集时即计算 SHA-256
与国密 SM3 摘要，连同元数据作为一个叶子追加到只增不改的默克尔树账本（RFC 6962），
账本的树根由调度台的 Ed25519 密钥签名，并定期锚定到外部存证（司法链或一次写入目录）。</p>
<h3>一、证据</h3><table border="1" cellspacing="0" cellpadding="3">{rows}</table>
<h3>二、签名树头</h3><table border="1" cellspacing="0" cellpadding="3">{heads}</table>
<h3>三、与先前树头的一致性</h3><ul>{prior}</ul>
<h3>四、核验方法</h3>
<ol>
<li>计算 <tt>evidence/{e(str(meta['file']))}</tt> 的 SHA-256 与 SM3，应与上表及
<tt>leaf.json</tt> 所记一致；</li>
<li>叶哈希 = SHA-256(0x00 ‖ leaf.json 的全部字节)；沿 <tt>inclusion_proof.json</tt> 中
{path_len} 个兄弟节点按 RFC 6962 逐层计算 SHA-256(0x01 ‖ 左 ‖ 右)，应得到上表树根；</li>
<li>用上表公钥按 Ed25519 核验签名，被签名的内容见 <tt>tree_head.json</tt> 的
signed_message 字段；并与调度台公开的公钥标识比对；</li>
<li>按 <tt>consistency_proofs.json</tt> 核验先前树头（含锚定树头）是本树的前缀，
证明其后未删除、改动或重排任何记录。</li>
</ol>
<p>以上步骤可由随附脚本一次完成，无需调度台：<br/>
<tt>python3 verify_evidence.py</tt>（仅需 Python 标准库；本机 OpenSSL 不支持 SM3 时另需
gmssl 库）。输出“核验通过”即全部通过；任何一项不符，脚本列出不符之处并以非零状态退出。</p>
</body></html>"""
