"""`SqlSdpDirectory`: the replica table in the case database, searched through blocking keys.

A search is two indexed queries: correct the query tokens against the vocabulary; then, in one
statement, look up the `n:`/`p:` keys of the tokens and their corrections and the `u:`/`d:`/`b:`
keys of the second signals, weighted, and fetch the best `CANDIDATE_CAP` records plus the best
`SIGNAL_CANDIDATE_CAP` by the keys joining a typed token with a second signal (leaving out keys
held by more than `KEY_POSTING_LIMIT` records); score them.
Only when no candidate's name comes close to the query's, read the single-token `t:` keys too
(skipping tokens too common to be useful), at most `CANDIDATE_CAP` more records. Only when that
finds nothing either, read the records holding every token of the query as written, however
common (so a query whose tokens all occur in a record's names never comes back empty).
The query's forms include its tokens with one adjacent pair joined (Nur Hayati -> nurhayati).
Plain B-tree indexes, the same on SQLite and PostgreSQL (no pg_trgm needed).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Engine,
    Executable,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import DBAPIError

from adapters.sdp.directory import SdpCandidate, SdpQuery, SdpRecord
from adapters.sdp.errors import RegistrationNumberError
from adapters.sdp.keys import (
    CORRECTION_DISCOUNT,
    Groups,
    correction_groups,
    form_tokens,
    query_variants,
    weighted_keys,
)
from adapters.sdp.matching import (
    Entry,
    PreparedQuery,
    exact_registration_candidate,
    rank_scored,
)
from adapters.sdp.names import joined_variants
from adapters.sdp.registration import normalise_registration_no
from adapters.sdp.rows import (
    KEY_TABLE,
    RECORD_TABLE,
    names_from_row,
    record_from_row,
)

_T = TypeVar("_T")

CANDIDATE_CAP = 30
SIGNAL_CANDIDATE_CAP = 15
TOKEN_POSTING_LIMIT = 200
KEY_POSTING_LIMIT = 500
WIDEN_BELOW_NAME_SCORE = 90.0  # read single-token keys unless a candidate's name scores this


def _in(column: ColumnElement[Any], name: str, *, postgresql: bool) -> ColumnElement[bool]:
    """`column IN (...)`: one array parameter on PostgreSQL (one statement, prepared once),
    an expanding list elsewhere."""
    if postgresql:
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


# The index rows of the query's keys, each with its key's weight and whether the key joins a
# token as typed with a second signal; read once (MATERIALIZED) for both rankings below. The keys
# with their weights travel as one JSON object, the signal keys as one JSON array (on PostgreSQL
# too: psycopg dumps a list of strings element by element, JSON is one C call): no per-row
# arithmetic. A key held by more than `KEY_POSTING_LIMIT` records (`u:muhamad|tangerang`, a
# one-word alias such as `n:badak`) tells none of them apart and would cost more to read than the
# rest of the search: it is left out, after counting at most one record past the limit.
_PG_HITS = """
    WITH hit AS MATERIALIZED (
        SELECT k.record_id, CAST(q.value AS float8) AS weight,
               q.key IN (SELECT json_array_elements_text(CAST(:signal_keys AS json))) AS signal
        FROM json_each_text(CAST(:keys AS json)) AS q
        JOIN sdp_name_key k ON k.key = q.key
        WHERE (SELECT count(*) FROM (
            SELECT 1 FROM sdp_name_key c WHERE c.key = q.key LIMIT :over) AS s) < :over
    )"""
_SQLITE_HITS = """
    WITH hit AS MATERIALIZED (
        SELECT k.record_id, q.value AS weight,
               q.key IN (SELECT s.value FROM json_each(:signal_keys) AS s) AS signal
        FROM json_each(:keys) AS q
        JOIN sdp_name_key k ON k.key = q.key
        WHERE (SELECT count(*) FROM (
            SELECT 1 FROM sdp_name_key c WHERE c.key = q.key LIMIT :over)) < :over
    )"""
# The vocabulary rows of the query's variants (a JSON array).
_PG_VARIANTS = """
    SELECT variant, token FROM sdp_token_variant
    WHERE variant IN (SELECT json_array_elements_text(CAST(:variants AS json)))"""
_SQLITE_VARIANTS = """
    SELECT variant, token FROM sdp_token_variant
    WHERE variant IN (SELECT value FROM json_each(:variants))"""
# The records with the most weight over all keys, plus (so a typo elsewhere cannot crowd them
# out) those with the most weight over the keys of a typed token and a second signal.
_KEY_ENTRIES = """
    SELECT r.id, r.no_registrasi, r.nama, r.upt, r.tanggal_lahir, r.name_index
    FROM sdp_record r JOIN (
        SELECT record_id FROM (
            SELECT record_id FROM hit
            GROUP BY record_id ORDER BY sum(weight) DESC, record_id LIMIT :cap
        ) by_name
        UNION
        SELECT record_id FROM (
            SELECT record_id FROM hit WHERE signal
            GROUP BY record_id ORDER BY sum(weight) DESC, record_id LIMIT :signal_cap
        ) by_signal
    ) best ON r.id = best.record_id"""


# The records not yet seen holding the most weight over single-token keys (the same hit rows,
# with `TOKEN_POSTING_LIMIT` as the limit and no signal keys).
_PG_WIDENED_ENTRIES = """
    SELECT r.id, r.no_registrasi, r.nama, r.upt, r.tanggal_lahir, r.name_index
    FROM sdp_record r JOIN (
        SELECT record_id FROM hit
        WHERE record_id NOT IN (SELECT CAST(s.value AS bigint)
                                FROM json_array_elements_text(CAST(:seen AS json)) AS s)
        GROUP BY record_id ORDER BY sum(weight) DESC, record_id LIMIT :cap
    ) best ON r.id = best.record_id"""
_SQLITE_WIDENED_ENTRIES = """
    SELECT r.id, r.no_registrasi, r.nama, r.upt, r.tanggal_lahir, r.name_index
    FROM sdp_record r JOIN (
        SELECT record_id FROM hit
        WHERE record_id NOT IN (SELECT s.value FROM json_each(:seen) AS s)
        GROUP BY record_id ORDER BY sum(weight) DESC, record_id LIMIT :cap
    ) best ON r.id = best.record_id"""


_NAMED = re.compile(r":(\w+)")  # :name -> %(name)s for psycopg


class _DriverStatement:
    """A hot statement run on the driver's own cursor: SQLAlchemy's work per execution (about
    half a millisecond on PostgreSQL, measured) costs more than the statement itself. A driver
    error is raised as SQLAlchemy's (an OperationalError stays transient for the runtime)."""

    def __init__(self, sql: str, dialect: str) -> None:
        self.sql = _NAMED.sub(r"%(\1)s", sql) if dialect == "postgresql" else sql

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[Any]:
        dbapi_connection = conn.connection.dbapi_connection
        assert dbapi_connection is not None
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(self.sql, params)
                return list(cursor.fetchall())
            finally:
                cursor.close()
        except conn.dialect.loaded_dbapi.Error as error:
            disconnected = conn.dialect.is_disconnect(error, dbapi_connection, None)
            if disconnected:
                conn.invalidate(error)
            raise DBAPIError.instance(
                self.sql,
                None,
                error,
                conn.dialect.loaded_dbapi.Error,
                hide_parameters=True,
                connection_invalidated=disconnected,
                dialect=conn.dialect,
            ) from error


def _entry_columns() -> tuple[ColumnElement[Any], ...]:
    r = RECORD_TABLE.c
    return (r.id, r.no_registrasi, r.nama, r.upt, r.tanggal_lahir, r.name_index)


class _Statements:
    """The search's statements for one dialect."""

    def __init__(self, dialect: str) -> None:
        postgresql = dialect == "postgresql"
        self.variants = _DriverStatement(_PG_VARIANTS if postgresql else _SQLITE_VARIANTS, dialect)
        hits = _PG_HITS if postgresql else _SQLITE_HITS
        self.key_entries = _DriverStatement(hits + _KEY_ENTRIES, dialect)
        token_entries = _PG_WIDENED_ENTRIES if postgresql else _SQLITE_WIDENED_ENTRIES
        self.token_entries = _DriverStatement(hits + token_entries, dialect)
        self.entries = select(*_entry_columns()).where(
            _in(RECORD_TABLE.c.id, "ids", postgresql=postgresql)
        )
        self.holding_all = (
            select(KEY_TABLE.c.record_id)
            .where(_in(KEY_TABLE.c.key, "keys", postgresql=postgresql))
            .group_by(KEY_TABLE.c.record_id)
            .having(func.count() == bindparam("n"))
            .order_by(KEY_TABLE.c.record_id)
            .limit(CANDIDATE_CAP)
        )

    def key_params(self, weighted: dict[str, float], signal: list[str]) -> dict[str, Any]:
        return {
            "keys": json.dumps(weighted),
            "signal_keys": json.dumps(signal),
            "cap": CANDIDATE_CAP,
            "signal_cap": SIGNAL_CANDIDATE_CAP,
            "over": KEY_POSTING_LIMIT + 1,
        }

    def token_params(self, weighted: dict[str, float], seen: set[int]) -> dict[str, Any]:
        return {
            "keys": json.dumps(weighted),
            "signal_keys": "[]",
            "seen": json.dumps(sorted(seen)),
            "cap": CANDIDATE_CAP,
            "over": TOKEN_POSTING_LIMIT + 1,
        }


class SqlSdpDirectory:
    def __init__(self, engine: Engine) -> None:
        self._engine = _search_engine(engine)
        self._sql = _Statements(engine.dialect.name)

    def get(self, registration_no: str) -> SdpRecord | None:
        try:
            number = normalise_registration_no(registration_no)
        except RegistrationNumberError:
            return None
        return _retried_once(lambda: self._get(number))

    def _get(self, number: str) -> SdpRecord | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(RECORD_TABLE).where(RECORD_TABLE.c.no_registrasi == number)
            ).first()
        return record_from_row(row) if row is not None else None

    def count(self) -> int:
        return _retried_once(self._count)

    def _count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(RECORD_TABLE)).scalar_one())

    def search(self, query: SdpQuery) -> list[SdpCandidate]:
        record = self.get(query.name)
        if record is not None:
            return [exact_registration_candidate(record)]
        return _retried_once(lambda: self._search(PreparedQuery.of(query)))

    def _search(self, prepared: PreparedQuery) -> list[SdpCandidate]:
        query = prepared.query
        with self._engine.connect() as conn:
            groups, joined = self._groups(conn, prepared)
            if not groups:
                return []
            keys, signal = weighted_keys(groups, prepared.upt, prepared.query.born, joined)
            if not keys:
                return []
            seen, entries = _entries(
                self._sql.key_entries.rows(conn, self._sql.key_params(keys, signal))
            )
            ranked = rank_scored(prepared, entries, limit=CANDIDATE_CAP)
            best_name = max((name_score for _, name_score in ranked), default=0.0)
            if best_name < WIDEN_BELOW_NAME_SCORE:
                _, entries = self._token_entries(conn, groups, seen)
                ranked += rank_scored(prepared, entries, limit=CANDIDATE_CAP)
            if not ranked:
                ranked = self._holding_all(conn, prepared)
        ranked.sort(key=lambda scored: (-scored[0].score, -scored[1], scored[0].no_registrasi))
        return [candidate for candidate, _ in ranked[: query.limit]]

    def _holding_all(
        self, conn: Connection, prepared: PreparedQuery
    ) -> list[tuple[SdpCandidate, float]]:
        """The records holding every token of the query's name as written (`t:` keys)."""
        tokens = set(form_tokens(prepared.forms[0])) if prepared.forms else set()
        tokens |= {k[0] for k in prepared.father if len(k[0]) >= 2}
        if not tokens:
            return []
        params = {"keys": sorted("t:" + t for t in tokens), "n": len(tokens)}
        ids = conn.execute(self._sql.holding_all, params).scalars().all()
        if not ids:
            return []
        _, entries = self._read_entries(conn, self._sql.entries, {"ids": sorted(ids)})
        return rank_scored(prepared, entries, limit=CANDIDATE_CAP)

    def _groups(self, conn: Connection, prepared: PreparedQuery) -> tuple[Groups, frozenset[str]]:
        """Each query form's (own, father) token groups: typed token first, then corrections;
        then the forms with one adjacent pair joined (and those joined tokens)."""
        own_forms = [form_tokens(f) for f in prepared.forms]
        father = [k[0] for k in prepared.father if len(k[0]) >= 2]
        joined_forms = [list(v) for tokens in own_forms for v in joined_variants(tokens)]
        joined = frozenset(t for v in joined_forms for t in v) - {
            t for tokens in own_forms for t in tokens
        }
        own_forms += joined_forms
        typed = {t for tokens in own_forms for t in tokens} | set(father)
        if not typed:
            return [], joined
        # joined tokens are looked up as written, without their single deletions: a typo and a
        # joined pair at once is left to the single-token step
        variants = query_variants(typed - joined) | joined
        found: dict[str, set[str]] = defaultdict(set)
        rows = self._sql.variants.rows(conn, {"variants": json.dumps(sorted(variants))})
        for variant, token in rows:
            found[variant].add(token)
        father_groups = correction_groups(father, found)
        groups = [
            (correction_groups(tokens, found), father_groups if i == 0 else [])
            for i, tokens in enumerate(own_forms)
            if tokens
        ]
        return groups, joined

    def _token_entries(
        self, conn: Connection, groups: Groups, seen: set[int]
    ) -> tuple[set[int], list[Entry]]:
        """Records not yet seen holding a query token (or a close correction) anywhere in a
        name, skipping tokens too common to be worth reading; those holding the most query
        tokens (a correction weighs less than a token as typed) first, `CANDIDATE_CAP` at most."""
        weights: dict[str, float] = {}
        for own, _ in groups:
            for group in own:
                for rank, token in enumerate(group[:4]):
                    weight = 1.0 if rank == 0 else 1.0 - CORRECTION_DISCOUNT
                    weights["t:" + token] = max(weight, weights.get("t:" + token, 0.0))
        if not weights:
            return set(), []
        return _entries(self._sql.token_entries.rows(conn, self._sql.token_params(weights, seen)))

    def _read_entries(
        self, conn: Connection, statement: Executable, params: dict[str, Any]
    ) -> tuple[set[int], list[Entry]]:
        return _entries(conn.execute(statement, params).all())


def _search_engine(engine: Engine) -> Engine:
    """The engine searches run on. They only read: autocommit skips BEGIN/ROLLBACK round trips
    (and SQLite's BEGIN IMMEDIATE, which would take the write lock for a search). On PostgreSQL
    they get a small pool of their own without the pre-ping, a round trip at every checkout
    (0.44 ms measured, more than a tenth of a median search); a connection found dead instead
    fails its statement, and `_retried_once` runs the search again on a fresh one. Their
    statements are prepared with generic plans: the keys travel as JSON, whose contents the
    planner cannot see, so a custom plan per execution only costs planning time (interleaved
    A/B: -8% search time)."""
    if engine.dialect.name != "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    searching = create_engine(
        engine.url, hide_parameters=True, pool_size=2, max_overflow=8, isolation_level="AUTOCOMMIT"
    )
    event.listen(searching, "connect", _prefer_generic_plans)
    return searching


def _prefer_generic_plans(dbapi_connection: Any, _record: Any) -> None:
    """Once per pooled connection (the URL's own `options`, e.g. a search_path, stay)."""
    dbapi_connection.execute("SET plan_cache_mode = force_generic_plan")
    dbapi_connection.commit()  # a session setting must outlive the transaction it opened


def _retried_once(read: Callable[[], _T]) -> _T:
    """Run a read; again once if its connection had died (the server restarted): SQLAlchemy
    then invalidates the pool's older connections, so the second try gets a fresh one."""
    try:
        return read()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        return read()


def _entries(rows: Sequence[Any]) -> tuple[set[int], list[Entry]]:
    """Ids and entries of rows (id, no_registrasi, nama, upt, tanggal_lahir, name_index); a
    date read through SQLite's own driver comes as ISO text."""
    entries = []
    for row in rows:
        born = row[4]
        if isinstance(born, str):
            born = date.fromisoformat(born)
        entries.append(Entry(row[1], row[2], row[3], born, names_from_row(row[5])))
    return {row[0] for row in rows}, entries
