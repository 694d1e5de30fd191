"""Rebuild the search index of an existing replica after the matching rules change.

Every record's names are parsed again (`name_index`) and its blocking keys written anew; tokens
new to the vocabulary get their variant rows. Run by migrations (e.g. `sdp_0003`), inside their
transaction; the records themselves are not touched.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from adapters.sdp.importer import bulk_insert
from adapters.sdp.keys import record_keys, token_variants, vocabulary
from adapters.sdp.matching import record_names, upt_tokens
from adapters.sdp.rows import (
    KEY_TABLE,
    RECORD_TABLE,
    VARIANT_TABLE,
    name_index_json,
    record_from_row,
)

BATCH = 2000


def rebuild_index(conn: Connection) -> int:
    """Rewrite `name_index`, `sdp_name_key` and new vocabulary for every record; the count."""
    known = set(
        conn.execute(
            select(VARIANT_TABLE.c.token).where(VARIANT_TABLE.c.variant == VARIANT_TABLE.c.token)
        ).scalars()
    )
    conn.execute(delete(KEY_TABLE))
    set_index = (
        update(RECORD_TABLE)
        .where(RECORD_TABLE.c.id == bindparam("b_id"))
        .values(name_index=bindparam("b_index"))
    )
    done = 0
    last_id = 0
    while True:
        rows = conn.execute(
            select(RECORD_TABLE)
            .where(RECORD_TABLE.c.id > last_id)
            .order_by(RECORD_TABLE.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return done
        last_id = rows[-1].id
        changed: list[dict[str, Any]] = []
        keys: list[tuple[str, int]] = []
        new_tokens: set[str] = set()
        for row in rows:
            record = record_from_row(row)
            names = record_names(record)
            index = name_index_json(names)
            if index != row.name_index:
                changed.append({"b_id": row.id, "b_index": index})
            keys += [
                (k, row.id)
                for k in record_keys(names, upt_tokens(record.upt), record.tanggal_lahir)
            ]
            new_tokens |= vocabulary(names) - known
        if changed:
            conn.execute(set_index, changed)
        bulk_insert(conn, KEY_TABLE, ("key", "record_id"), sorted(keys))
        variants = [(v, t) for t in sorted(new_tokens) for v in token_variants(t)]
        bulk_insert(conn, VARIANT_TABLE, ("variant", "token"), variants)
        known |= new_tokens
        done += len(rows)
