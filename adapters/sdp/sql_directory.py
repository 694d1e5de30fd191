"""`SqlSdpDirectory`: the replica table in the case database, searched through blocking keys.

A search is a few indexed queries: correct the query tokens against the vocabulary; look up the
`n:`/`p:` keys of the tokens and their corrections and the `u:`/`d:` keys of the second signals,
weighted, best `CANDIDATE_CAP` records first; fetch and score them. Only when no candidate is
convincing, read the single-token `t:` keys too (skipping tokens too common to be useful).
Plain B-tree indexes, the same on SQLite and PostgreSQL (no pg_trgm needed).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Connection,
    Engine,
    Select,
    any_,
    bindparam,
    case,
    func,
    select,
    union_all,
)

from adapters.sdp.directory import SdpCandidate, SdpQuery, SdpRecord
from adapters.sdp.errors import RegistrationNumberError
from adapters.sdp.keys import correction_groups, form_tokens, lookup_keys, query_variants
from adapters.sdp.matching import (
    Entry,
    PersonNames,
    PreparedQuery,
    exact_registration_candidate,
    rank,
)
from adapters.sdp.registration import normalise_registration_no
from adapters.sdp.rows import (
    KEY_TABLE,
    RECORD_TABLE,
    VARIANT_TABLE,
    names_from_row,
    record_from_row,
)

CANDIDATE_CAP = 60
TOKEN_POSTING_LIMIT = 200
PHASE_TWO_BELOW = 90.0  # widen to single-token keys unless a candidate scores this high
PHASE_TWO_GOOD = 80.0  # ... or at least `limit` candidates score this
NAMES_CACHE_SIZE = 50_000


def _in(column: ColumnElement[Any], name: str, *, postgresql: bool) -> ColumnElement[bool]:
    """`column IN (...)`: one array parameter on PostgreSQL (one statement, prepared once),
    an expanding list elsewhere."""
    if postgresql:
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


# Key weights: a whole-name key per token it covers, a pair key a little less than a two-token
# name, a token agreeing with the UPT or the date of birth half a token.
_prefix = func.substr(KEY_TABLE.c.key, 1, 2)
_tokens = func.length(KEY_TABLE.c.key) - func.length(func.replace(KEY_TABLE.c.key, " ", "")) + 1
_weight = case((_prefix == "n:", 10 * _tokens), (_prefix == "p:", 16), else_=5)


class _Statements:
    """The search's statements for one dialect."""

    def __init__(self, postgresql: bool) -> None:
        self.variants = select(VARIANT_TABLE.c.variant, VARIANT_TABLE.c.token).where(
            _in(VARIANT_TABLE.c.variant, "variants", postgresql=postgresql)
        )
        self.candidates = (
            select(KEY_TABLE.c.record_id)
            .where(_in(KEY_TABLE.c.key, "keys", postgresql=postgresql))
            .group_by(KEY_TABLE.c.record_id)
            .order_by(func.sum(_weight).desc(), KEY_TABLE.c.record_id)
            .limit(CANDIDATE_CAP)
        )
        self.entries = select(
            RECORD_TABLE.c.no_registrasi,
            RECORD_TABLE.c.nama,
            RECORD_TABLE.c.upt,
            RECORD_TABLE.c.tanggal_lahir,
            RECORD_TABLE.c.name_index,
        ).where(_in(RECORD_TABLE.c.id, "ids", postgresql=postgresql))


def _postings_q(keys: list[str]) -> Select[Any] | CompoundSelect[Any]:
    """Each key's records, at most `TOKEN_POSTING_LIMIT + 1` per key, in one round trip."""
    parts = []
    for key in keys:
        sub = (
            select(KEY_TABLE.c.key, KEY_TABLE.c.record_id)
            .where(KEY_TABLE.c.key == key)
            .limit(TOKEN_POSTING_LIMIT + 1)
            .subquery()
        )
        parts.append(select(sub.c.key, sub.c.record_id))
    return parts[0] if len(parts) == 1 else union_all(*parts)


class SqlSdpDirectory:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sql = _Statements(postgresql=engine.dialect.name == "postgresql")
        self._names: dict[str, PersonNames] = {}

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
            groups = self._groups(conn, prepared)
            if not groups:
                return []
            seen = self._key_candidates(conn, groups, prepared)
            ranked = rank(prepared, self._entries(conn, seen), limit=CANDIDATE_CAP)
            good = sum(1 for c in ranked if c.score >= PHASE_TWO_GOOD)
            best = ranked[0].score if ranked else 0.0
            if best < PHASE_TWO_BELOW and good < query.limit:
                more = self._token_candidates(conn, groups) - seen
                if more:
                    ranked += rank(prepared, self._entries(conn, more), limit=CANDIDATE_CAP)
        ranked.sort(key=lambda c: (-c.score, c.no_registrasi))
        return ranked[: query.limit]

    def _groups(
        self, conn: Connection, prepared: PreparedQuery
    ) -> list[tuple[list[list[str]], list[list[str]]]]:
        """Each query form's (own, father) token groups: typed token first, then corrections."""
        own_forms = [form_tokens(f) for f in prepared.forms]
        father = [k[0] for k in prepared.father if len(k[0]) >= 2]
        typed = {t for tokens in own_forms for t in tokens} | set(father)
        if not typed:
            return []
        found: dict[str, set[str]] = defaultdict(set)
        for variant, token in conn.execute(
            self._sql.variants, {"variants": sorted(query_variants(typed))}
        ):
            found[variant].add(token)
        father_groups = correction_groups(father, found)
        return [
            (correction_groups(tokens, found), father_groups if i == 0 else [])
            for i, tokens in enumerate(own_forms)
            if tokens
        ]

    def _key_candidates(
        self,
        conn: Connection,
        groups: list[tuple[list[list[str]], list[list[str]]]],
        prepared: PreparedQuery,
    ) -> set[int]:
        keys = lookup_keys(groups, prepared.upt, prepared.query.born)
        if not keys:
            return set()
        return set(conn.execute(self._sql.candidates, {"keys": keys}).scalars())

    def _token_candidates(
        self, conn: Connection, groups: list[tuple[list[list[str]], list[list[str]]]]
    ) -> set[int]:
        """Records holding a query token (or a close correction) anywhere in a name, skipping
        tokens too common to be worth reading."""
        keys = sorted({"t:" + t for own, _ in groups for group in own for t in group[:4]})
        if not keys:
            return set()
        postings: dict[str, list[int]] = defaultdict(list)
        for key, record_id in conn.execute(_postings_q(keys)):
            postings[key].append(record_id)
        return {i for ids in postings.values() if len(ids) <= TOKEN_POSTING_LIMIT for i in ids}

    def _entries(self, conn: Connection, ids: set[int]) -> list[Entry]:
        if not ids:
            return []
        rows = conn.execute(self._sql.entries, {"ids": sorted(ids)}).all()
        return [
            Entry(row.no_registrasi, row.nama, row.upt, row.tanggal_lahir, self._parse(row[4]))
            for row in rows
        ]

    def _parse(self, name_index: str) -> PersonNames:
        names = self._names.get(name_index)
        if names is None:
            if len(self._names) >= NAMES_CACHE_SIZE:
                self._names.clear()
            names = self._names[name_index] = names_from_row(name_index)
        return names
