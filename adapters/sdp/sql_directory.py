"""`SqlSdpDirectory`: the replica table in the case database, searched through blocking keys.

A search costs three to five indexed queries: correct the query tokens against the vocabulary,
look up the `n:`/`p:` keys of the corrected tokens, if that finds too little read the `t:` keys
(with a limit, filtered by the second signals when a token is common), then fetch and score the
candidates. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, Engine, and_, bindparam, func, or_, select

from adapters.sdp.directory import SdpCandidate, SdpQuery, SdpRecord
from adapters.sdp.errors import RegistrationNumberError
from adapters.sdp.keys import correction_groups, form_tokens, lookup_keys, query_variants
from adapters.sdp.matching import Entry, PreparedQuery, exact_registration_candidate, rank
from adapters.sdp.registration import normalise_registration_no
from adapters.sdp.rows import (
    KEY_TABLE,
    RECORD_TABLE,
    VARIANT_TABLE,
    names_from_row,
    record_from_row,
)

CANDIDATE_CAP = 300
TOKEN_POSTING_LIMIT = 200

_variants_q = select(VARIANT_TABLE.c.variant, VARIANT_TABLE.c.token).where(
    VARIANT_TABLE.c.variant.in_(bindparam("variants", expanding=True))
)
_keys_q = (
    select(KEY_TABLE.c.record_id, func.count().label("hits"))
    .where(KEY_TABLE.c.key.in_(bindparam("keys", expanding=True)))
    .group_by(KEY_TABLE.c.record_id)
    .order_by(func.count().desc(), KEY_TABLE.c.record_id)
    .limit(CANDIDATE_CAP)
)
_posting_q = (
    select(KEY_TABLE.c.record_id)
    .where(KEY_TABLE.c.key == bindparam("key"))
    .limit(TOKEN_POSTING_LIMIT + 1)
)
_entries_q = select(
    RECORD_TABLE.c.no_registrasi,
    RECORD_TABLE.c.nama,
    RECORD_TABLE.c.upt,
    RECORD_TABLE.c.tanggal_lahir,
    RECORD_TABLE.c.name_index,
).where(RECORD_TABLE.c.id.in_(bindparam("ids", expanding=True)))


class SqlSdpDirectory:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, registration_no: str) -> SdpRecord | None:
        try:
            number = normalise_registration_no(registration_no)
        except RegistrationNumberError:
            return None
        with self._engine.connect() as conn:
            row = conn.execute(
                select(RECORD_TABLE).where(RECORD_TABLE.c.no_registrasi == number)
            ).first()
        return record_from_row(row) if row is not None else None

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(RECORD_TABLE)).scalar_one())

    def search(self, query: SdpQuery) -> list[SdpCandidate]:
        record = self.get(query.name)
        if record is not None:
            return [exact_registration_candidate(record)]
        prepared = PreparedQuery.of(query)
        with self._engine.connect() as conn:
            ids = self._candidate_ids(conn, prepared)
            if not ids:
                return []
            rows = conn.execute(_entries_q, {"ids": sorted(ids)}).all()
        entries = (
            Entry(row.no_registrasi, row.nama, row.upt, row.tanggal_lahir, names_from_row(row[4]))
            for row in rows
        )
        return rank(prepared, entries)

    def _candidate_ids(self, conn: Connection, prepared: PreparedQuery) -> set[int]:
        own_forms = [form_tokens(f) for f in prepared.forms]
        father = [k[0] for k in prepared.father if len(k[0]) >= 2]
        typed = {t for tokens in own_forms for t in tokens} | set(father)
        if not typed:
            return set()
        found: dict[str, set[str]] = defaultdict(set)
        for variant, token in conn.execute(
            _variants_q, {"variants": sorted(query_variants(typed))}
        ):
            found[variant].add(token)
        father_groups = correction_groups(father, found)
        forms = [
            (correction_groups(tokens, found), father_groups if i == 0 else [])
            for i, tokens in enumerate(own_forms)
        ]
        keys = lookup_keys(forms)
        ids = {row.record_id for row in conn.execute(_keys_q, {"keys": keys})} if keys else set()
        if len(ids) >= prepared.query.limit:
            return ids
        for groups, _ in forms:
            for group in groups:
                for token in group:
                    ids.update(self._posting(conn, "t:" + token, prepared))
        return ids

    def _posting(self, conn: Connection, key: str, prepared: PreparedQuery) -> list[int]:
        ids = [row.record_id for row in conn.execute(_posting_q, {"key": key})]
        if len(ids) <= TOKEN_POSTING_LIMIT:
            return ids
        # A common token: only worth reading where a second signal narrows it down.
        signals = []
        if prepared.query.born is not None:
            signals.append(RECORD_TABLE.c.tanggal_lahir == prepared.query.born)
        if prepared.upt:
            signals.append(and_(*(RECORD_TABLE.c.upt_key.contains(t) for t in prepared.upt)))
        if not signals:
            return []
        narrowed = (
            select(KEY_TABLE.c.record_id)
            .join(RECORD_TABLE, RECORD_TABLE.c.id == KEY_TABLE.c.record_id)
            .where(KEY_TABLE.c.key == key, or_(*signals))
            .limit(TOKEN_POSTING_LIMIT)
        )
        return [row.record_id for row in conn.execute(narrowed)]
