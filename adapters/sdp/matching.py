"""Scoring a query against a record's names (nama, aliases, childhood names) and second signals.

Score (0-100) = 0.85 x name similarity + second signals:
  UPT agrees +8 (only in part, e.g. without its class: +5) / differs -12;
  date of birth agrees +10 / day and month swapped +3 / differs -20;
  father's name (bin/binti) agrees +5 / differs -10; another query alias matches +4 (at most 8).
So a perfect name alone reaches 85: a name match needs a second signal to pass 90.
Token similarity is Damerau-Levenshtein (rapidfuzz) over phonetic keys (see `names`). Spacing
varies (Nur Hayati, Nurhayati): two adjacent tokens of one side may stand for one token of the
other, at a small cost. A record holding every token of the query as written is always a
candidate (at least `MIN_NAME_SCORE`), however many other tokens it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz.distance import DamerauLevenshtein

from adapters.sdp.directory import SdpCandidate, SdpQuery, SdpRecord
from adapters.sdp.names import fold, joined_key, name_keys, parse_name

NAME_WEIGHT = 0.85
MIN_TOKEN_SIM = 60.0
MIN_NAME_SCORE = 50.0
UNMATCHED_RECORD_WEIGHT = 0.4  # a record token the query lacks costs less than the reverse
KIND_FACTOR = {"nama": 1.0, "alias": 0.97, "nama_kecil": 0.95}
KIND_LABEL = {"nama": "nama", "alias": "alias", "nama_kecil": "nama kecil"}
UPT_AGREE, UPT_PARTLY, UPT_DIFFER = 8.0, 5.0, -12.0
BORN_AGREE, BORN_SWAPPED, BORN_DIFFER = 10.0, 3.0, -20.0
FATHER_AGREE, FATHER_DIFFER = 5.0, -10.0
ALIAS_CORROBORATION, ALIAS_CORROBORATION_MAX = 4.0, 8.0
JOIN_PENALTY = 2.0  # a match through joined or split tokens ranks below the same spelling
MIN_JOIN_SIM = 0.75  # a joined pair is tried only when it comes this close to a token

Keys = Sequence[Sequence[str]]

_UPT_PHRASES = (
    ("lembaga pemasyarakatan perempuan", "lpp"),
    ("lembaga pembinaan khusus anak", "lpka"),
    ("lembaga pemasyarakatan", "lapas"),
    ("rumah tahanan negara", "rutan"),
    ("rumah tahanan", "rutan"),
    ("cabang rutan", "cabrutan"),
    ("balai pemasyarakatan", "bapas"),
)
_UPT_NOISE = frozenset(
    ["kelas", "klas", "kls", "i", "ii", "iii", "iia", "iib", "iv", "ia", "ib", "iiia", "iiib"]
)


class NameForm(NamedTuple):
    """One name of a person, ready to score: its kind, display text, tokens and keys.
    (A NamedTuple: built from stored JSON for every candidate, so it must be cheap.)"""

    kind: str
    display: str
    tokens: Sequence[str]
    keys: Sequence[Sequence[str]]

    def to_json(self) -> list[Any]:
        return [self.kind, self.display, list(self.tokens), [list(k) for k in self.keys]]


class PersonNames(NamedTuple):
    """Every name of a person plus the father's name keys (from `bin`/`binti`)."""

    forms: Sequence[NameForm]
    father: Sequence[Sequence[str]] = ()

    def to_json(self) -> dict[str, Any]:
        return {"f": [f.to_json() for f in self.forms], "b": [list(k) for k in self.father]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PersonNames:
        return cls([NameForm(*f) for f in data["f"]], data["b"])


def _forms_of(text: str, kind: str) -> tuple[list[NameForm], Keys]:
    parsed = parse_name(text)
    forms: list[NameForm] = []
    if parsed.tokens:
        forms.append(NameForm(kind, text, parsed.tokens, name_keys(parsed.tokens)))
    for alias in parsed.aliases:
        forms.append(NameForm("alias", text, alias.tokens, name_keys(alias.tokens)))
    return forms, name_keys(parsed.father)


def person_names(
    nama: str, alias: Iterable[str] = (), nama_kecil: Iterable[str] = ()
) -> PersonNames:
    forms, father = _forms_of(nama, "nama")
    for kind, texts in (("alias", alias), ("nama_kecil", nama_kecil)):
        for text in texts:
            more, more_father = _forms_of(text, kind)
            forms.extend(more)
            father = father or more_father
    return PersonNames(tuple(forms), father)


def record_names(record: SdpRecord) -> PersonNames:
    return person_names(record.nama, record.alias, record.nama_kecil)


@lru_cache(maxsize=4096)
def upt_full(text: str | None) -> str:
    """A UPT name folded, with its class: `LAPAS KLAS IIA Serang` -> `lapas kelas iia serang`."""
    if not text:
        return ""
    folded = " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())
    for phrase, short in _UPT_PHRASES:
        folded = folded.replace(phrase, short)
    return " ".join("kelas" if t in ("klas", "kls") else t for t in folded.split())


@lru_cache(maxsize=4096)
def upt_tokens(text: str | None) -> frozenset[str]:
    """Distinctive words of a UPT name: `Lapas Kelas IIA Serang` -> {lapas, serang}."""
    return frozenset(t for t in upt_full(text).split() if t not in _UPT_NOISE)


def _key_sim(a: str, b: str) -> float:
    if a == b:
        return 100.0
    if len(a) == 1 or len(b) == 1:
        return 75.0 if a[0] == b[0] else 0.0
    return DamerauLevenshtein.normalized_similarity(a, b) * 100.0


def _token_sim(a: Sequence[str], b: Sequence[str]) -> float:
    """The best similarity of any key of one token to any key of the other (most tokens have
    one key: that case first, scoring is hot)."""
    if len(a) == 1 and len(b) == 1:
        return _key_sim(a[0], b[0])
    return max(_key_sim(ka, kb) for ka in a for kb in b)


@dataclass(frozen=True)
class NameMatch:
    score: float
    swapped: bool
    covered: bool = False  # every query token found as written (own or father's tokens)
    joined: bool = False  # found through tokens joined or split by a space


def match_tokens(
    query: Keys, record: Keys, *, query_extra: Keys = (), record_extra: Keys = ()
) -> NameMatch:
    """Similarity of two token lists. `*_extra` are father's-name tokens: they may match at 90%
    and cost nothing when they do not. Token pairs are matched greedily, most similar first."""
    n_query, n_record = len(query), len(record)
    pairs = _similar_pairs(query, [*record, *record_extra])
    pairs += _similar_pairs(query_extra, record, first=n_query)
    pairs.sort()
    used_q: set[int] = set()
    used_r: set[int] = set()
    total = 0.0
    matched_extra = 0
    exact: set[tuple[str, ...]] = set()  # keys of the query tokens found as written
    own_pairs: list[tuple[int, int]] = []
    for negative_sim, qi, ri in pairs:
        if qi in used_q or ri in used_r:
            continue
        used_q.add(qi)
        used_r.add(ri)
        sim = -negative_sim
        if qi >= n_query:
            matched_extra += 1
            total += sim * 0.9
            continue
        if sim == 100.0:
            exact.add(tuple(query[qi]))
        if ri >= n_record:
            total += sim * 0.9
        else:
            total += sim
            own_pairs.append((qi, ri))
    unmatched_record = n_record - sum(1 for ri in used_r if ri < n_record)
    denominator = n_query + matched_extra + UNMATCHED_RECORD_WEIGHT * unmatched_record
    if denominator == 0:
        return NameMatch(0.0, False)
    own_pairs.sort()
    order = [ri for _, ri in own_pairs]
    swapped = order != sorted(order)
    score = total / denominator - (3.0 if swapped else 0.0)
    # a token typed twice ("Harahap Harahap") is covered by the one record token it names
    covered = n_query > 0 and all(tuple(keys) in exact for keys in query)
    return NameMatch(max(score, 0.0), swapped, covered=covered)


def _similar_pairs(query: Keys, record: Keys, first: int = 0) -> list[tuple[float, int, int]]:
    """(-similarity, query index, record index) of the token pairs similar enough to match;
    query indexes from `first`."""
    pairs = []
    for qi, qk in enumerate(query, first):
        for ri, rk in enumerate(record):
            sim = _token_sim(qk, rk)
            if sim >= MIN_TOKEN_SIM:
                pairs.append((-sim, qi, ri))
    return pairs


def _joins(keys: Keys, other: Keys) -> list[Keys]:
    """`keys` with one adjacent pair written as one token, for each pair whose joined key comes
    close to a token of `other` (checked first: most pairs never do, and scoring is hot)."""
    if len(keys) < 2:
        return []
    # keys of three letters or fewer are never compared with a joined pair
    targets = [key for key in (o[0] for o in other) if len(key) > 3]
    variants: list[Keys] = []
    for i in range(len(keys) - 1):
        joined = joined_key(keys[i][0], keys[i + 1][0])
        if _close_to_any(joined, targets):
            variants.append([*keys[:i], (joined,), *keys[i + 2 :]])
    return variants


def _close_to_any(joined: str, targets: list[str]) -> bool:
    size = len(joined)
    for key in targets:
        # a length gap over a quarter of the longer key cannot reach MIN_JOIN_SIM
        if abs(len(key) - size) * 4 <= max(len(key), size) and (
            DamerauLevenshtein.normalized_similarity(joined, key, score_cutoff=MIN_JOIN_SIM)
            >= MIN_JOIN_SIM
        ):
            return True
    return False


def match_names(
    query: Keys, record: Keys, *, query_extra: Keys = (), record_extra: Keys = ()
) -> NameMatch:
    """`match_tokens`, also trying each side with a pair of tokens joined (Nur Hayati against
    Nurhayati, either way round), less `JOIN_PENALTY`."""
    best = match_tokens(query, record, query_extra=query_extra, record_extra=record_extra)
    if best.score >= 100.0 - JOIN_PENALTY:  # a join scores 100 at most, less the penalty
        return best
    tries = [(q, record) for q in _joins(query, record)]
    tries += [(query, r) for r in _joins(record, query)]
    for q, r in tries:
        match = match_tokens(q, r, query_extra=query_extra, record_extra=record_extra)
        if match.score - JOIN_PENALTY > best.score:
            best = NameMatch(
                match.score - JOIN_PENALTY, match.swapped, covered=best.covered, joined=True
            )
    return best


@dataclass(frozen=True)
class PreparedQuery:
    """A query parsed once: its name forms, father's keys and second signals."""

    query: SdpQuery
    forms: tuple[NameForm, ...]
    father: Keys
    upt: frozenset[str]

    @classmethod
    def of(cls, query: SdpQuery) -> PreparedQuery:
        names = person_names(query.name)
        return cls(query, tuple(names.forms), names.father, upt_tokens(query.upt))

    @property
    def has_second_signal(self) -> bool:
        return bool(self.upt) or self.query.born is not None


@dataclass(frozen=True)
class Scored:
    score: float
    name_score: float
    reasons: list[str]


def _hashable(keys: Keys) -> tuple[tuple[str, ...], ...]:
    return tuple(map(tuple, keys))


def _upt_agrees(query: frozenset[str], record: frozenset[str]) -> bool:
    return all(
        any(DamerauLevenshtein.normalized_similarity(q, r) >= 0.85 for r in record) for q in query
    )


def _born_signal(query: date, record: date) -> tuple[float, str]:
    if query == record:
        return BORN_AGREE, "tanggal lahir cocok"
    if query.year == record.year and (query.day, query.month) == (record.month, record.day):
        return BORN_SWAPPED, "tanggal lahir hampir cocok (hari dan bulan tertukar)"
    return BORN_DIFFER, "tanggal lahir berbeda"


def score_person(
    prepared: PreparedQuery,
    names: PersonNames,
    *,
    upt: str | None,
    born: date | None,
    memo: dict[tuple[Any, ...], NameMatch] | None = None,
) -> Scored | None:
    """Score one person against the query; None when no name comes close enough. `memo` keeps
    name matches across the persons of one search (namesakes share their keys)."""
    best: tuple[float, NameForm, NameForm, NameMatch] | None = None
    per_form: list[tuple[float, NameForm, NameForm]] = []
    memo = {} if memo is None else memo
    father_key = _hashable(names.father)
    for qi, q_form in enumerate(prepared.forms):
        q_factor = 1.0 if qi == 0 else KIND_FACTOR["alias"]
        for r_form in names.forms:
            is_main = r_form.kind == "nama"
            memo_key = (qi, _hashable(r_form.keys), father_key if is_main else ())
            match = memo.get(memo_key)
            if match is None:
                match = memo[memo_key] = match_names(
                    q_form.keys,
                    r_form.keys,
                    query_extra=prepared.father if qi == 0 else (),
                    record_extra=names.father if is_main else (),
                )
            value = match.score * KIND_FACTOR[r_form.kind] * q_factor
            if match.covered:
                value = max(value, MIN_NAME_SCORE)
            per_form.append((value, q_form, r_form))
            if best is None or value > best[0]:
                best = (value, q_form, r_form, match)
    if best is None or best[0] < MIN_NAME_SCORE:
        return None
    name_score, q_best, r_best, match = best
    reasons = [
        f"nama cocok dengan {KIND_LABEL[r_best.kind]} '{r_best.display}' ({name_score:.0f}/100)"
    ]
    same_keys = sorted(map(tuple, q_best.keys)) == sorted(map(tuple, r_best.keys))
    if same_keys and sorted(q_best.tokens) != sorted(r_best.tokens):
        reasons.append("cocok lewat varian ejaan atau penulisan nama")
    if match.joined:
        reasons.append("cocok lewat penulisan nama yang digabung atau dipisah")
    if match.swapped:
        reasons.append("urutan nama berbeda")
    score = NAME_WEIGHT * name_score

    corroboration = 0.0
    for value, q_form, r_form in per_form:
        if q_form is not q_best and r_form is not r_best and value >= 85.0:
            corroboration += ALIAS_CORROBORATION
            reasons.append(f"alias lain juga cocok: '{r_form.display}'")
    score += min(corroboration, ALIAS_CORROBORATION_MAX)

    if prepared.father and names.father:
        father = match_tokens(prepared.father, names.father).score
        if father >= 85.0:
            score += FATHER_AGREE
            reasons.append("nama ayah (bin/binti) cocok")
        elif father < MIN_TOKEN_SIM:
            score += FATHER_DIFFER
            reasons.append("nama ayah (bin/binti) berbeda")

    if prepared.upt:
        record_upt = upt_tokens(upt)
        if not record_upt:
            reasons.append("UPT tidak tercatat")
        elif upt_full(prepared.query.upt) == upt_full(upt):
            score += UPT_AGREE
            reasons.append("UPT cocok")
        elif _upt_agrees(prepared.upt, record_upt):
            score += UPT_PARTLY
            reasons.append("UPT cocok sebagian")
        else:
            score += UPT_DIFFER
            reasons.append("UPT berbeda")
    if prepared.query.born is not None:
        if born is None:
            reasons.append("tanggal lahir tidak tercatat")
        else:
            delta, reason = _born_signal(prepared.query.born, born)
            score += delta
            reasons.append(reason)
    if not prepared.has_second_signal:
        reasons.append("tanpa sinyal kedua (UPT, tanggal lahir): perlu konfirmasi petugas")
    return Scored(round(min(max(score, 0.0), 100.0), 1), name_score, reasons)


@dataclass(frozen=True)
class Entry:
    """What ranking needs of one record."""

    no_registrasi: str
    nama: str
    upt: str | None
    born: date | None
    names: PersonNames


def rank_scored(
    prepared: PreparedQuery, entries: Iterable[Entry], *, limit: int | None = None
) -> list[tuple[SdpCandidate, float]]:
    """Score entries; the best `limit` (default the query's) with their name scores, best first
    (ties: name score, then registration number)."""
    scored: list[tuple[float, float, str, SdpCandidate]] = []
    memo: dict[tuple[Any, ...], NameMatch] = {}
    for entry in entries:
        result = score_person(prepared, entry.names, upt=entry.upt, born=entry.born, memo=memo)
        if result is None:
            continue
        candidate = SdpCandidate(
            no_registrasi=entry.no_registrasi,
            nama=entry.nama,
            upt=entry.upt,
            score=result.score,
            reasons=result.reasons,
        )
        scored.append((-result.score, -result.name_score, entry.no_registrasi, candidate))
    scored.sort(key=lambda s: (s[0], s[1], s[2]))
    return [(s[3], -s[1]) for s in scored[: limit or prepared.query.limit]]


def rank(
    prepared: PreparedQuery, entries: Iterable[Entry], *, limit: int | None = None
) -> list[SdpCandidate]:
    """Score entries and return the best `limit` (default the query's), best first."""
    return [candidate for candidate, _ in rank_scored(prepared, entries, limit=limit)]


def entry_of(record: SdpRecord) -> Entry:
    return Entry(
        record.no_registrasi, record.nama, record.upt, record.tanggal_lahir, record_names(record)
    )


def exact_registration_candidate(record: SdpRecord) -> SdpCandidate:
    return SdpCandidate(
        no_registrasi=record.no_registrasi,
        nama=record.nama,
        upt=record.upt,
        score=100.0,
        reasons=["nomor registrasi cocok"],
    )
