"""Hostile upload files of the shapes issue 15 reported, generated on demand (no blobs)."""

from __future__ import annotations

import io
import zlib

from PIL import Image


def wide_progressive_jpeg(width: int = 39_000, height: int = 1_000) -> bytes:
    """The issue's memory attack: ~0.5 MB on disk, ~500 MB to decode before the fix."""
    out = io.BytesIO()
    Image.new("RGB", (width, height)).save(out, "JPEG", quality=30, progressive=True, subsampling=0)
    return out.getvalue()


def object_stream_bomb(streams: int = 4, spaces: int = 74_000_000) -> bytes:
    """The issue's CPU attack: the catalog references one object in each of `streams` Flate
    object streams, each inflating to `spaces` bytes of whitespace that a parser walks byte
    by byte before it reaches the object. Objects 1-3 are the catalog and page tree."""
    first = 4 + streams
    padding = zlib.compressobj(9)
    head = padding.compress(b" " * spaces)  # compressed once, shared by every stream
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R /Extra ["
        + b" ".join(b"%d 0 R" % (first + i) for i in range(streams))
        + b"] >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    for i in range(streams):
        tail = padding.copy()
        header = b"%d 0 " % (first + i)
        z = head + tail.compress(header + b"<< /K 1 >>") + tail.flush()
        bodies.append(
            b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (spaces + len(header), len(z))
            + z
            + b"\nendstream"
        )
    return _with_xref_stream(bodies, compressed={first + i: 4 + i for i in range(streams)})


def _with_xref_stream(bodies: list[bytes], *, compressed: dict[int, int]) -> bytes:
    """Objects 1..len(bodies) written plainly, objects in `compressed` (number -> object
    stream) listed as the first object of that stream, and a cross-reference stream."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    rows = [b"\x00" + bytes(4) + b"\xff\xff"]
    for number, body in enumerate(bodies, start=1):
        rows.append(b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00")
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    for number in sorted(compressed):
        rows.append(b"\x02" + compressed[number].to_bytes(4, "big") + b"\x00\x00")
    xref_number = len(rows)
    xref_offset = len(out)
    rows.append(b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00\x00")
    table = b"".join(rows)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, len(table))
        + table
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)
