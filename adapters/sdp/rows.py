"""Conversions between `SdpRecord` and the `sdp_record` table row."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table

from adapters.sdp.directory import SdpRecord
from adapters.sdp.matching import PersonNames, record_names, upt_tokens
from adapters.sdp.tables import SdpNameKey, SdpRecordRow, SdpTokenVariant

RECORD_TABLE: Table = SdpRecordRow.__table__  # type: ignore[attr-defined]
KEY_TABLE: Table = SdpNameKey.__table__  # type: ignore[attr-defined]
VARIANT_TABLE: Table = SdpTokenVariant.__table__  # type: ignore[attr-defined]

RECORD_FIELDS = tuple(SdpRecord.model_fields)


def upt_key(upt: str | None) -> str | None:
    tokens = upt_tokens(upt)
    return " ".join(sorted(tokens)) if tokens else None


def record_values(record: SdpRecord, names: PersonNames, now: datetime) -> dict[str, Any]:
    values = record.model_dump(mode="python")
    for field in ("program_integrasi", "tahap_integrasi"):
        value = values[field]
        values[field] = value.value if value is not None else None
    values["upt_key"] = upt_key(record.upt)
    values["name_index"] = name_index_json(names)
    values["imported_at"] = now if now.tzinfo else now.replace(tzinfo=UTC)
    return values


def record_from_row(row: Any) -> SdpRecord:
    data = {field: getattr(row, field) for field in RECORD_FIELDS}
    return SdpRecord.model_validate(data)


def name_index_json(names: PersonNames) -> str:
    return json.dumps(names.to_json(), separators=(",", ":"))


def names_from_row(name_index: str) -> PersonNames:
    return PersonNames.from_json(json.loads(name_index))


__all__ = [
    "KEY_TABLE",
    "RECORD_TABLE",
    "VARIANT_TABLE",
    "name_index_json",
    "names_from_row",
    "record_from_row",
    "record_names",
    "record_values",
]
