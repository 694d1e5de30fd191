"""Blocking keys: what the SQL directory indexes so a search reads a few hundred rows, not all.

Per record (from the primary phonetic key of each token of at least two letters):
  `n:<sorted tokens>`  the whole name as a set (order-free); with the father's name added too;
  `p:<a> <b>`          every pair of tokens of names of three tokens or more (dropped tokens);
  `t:<token>`          every single token (read with a limit, as a fallback);
  `u:<token>|<place>`  every token with each distinctive word of the UPT (`u:budi|serang`);
  `d:<token>|<date>`   every token with the date of birth;
  `b:<date>`           the date of birth alone (a dozen records per date on a national table, so
                       a query with a date finds its person even when every name token is mistyped).
A search counts weighted key hits per record (a token with a second signal weighs more than the
token alone), so among many homonyms those that agree with the query's UPT or date of birth come
first without a join.
Typos are absorbed on the vocabulary side: every distinct token key is stored with its
single-character deletions (SymSpell), so a query token finds the vocabulary tokens within one
edit, and the record keys are then looked up for those corrected tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import combinations

from rapidfuzz.distance import DamerauLevenshtein

from adapters.sdp.matching import Keys, NameForm, PersonNames

MAX_PAIR_TOKENS = 6
MIN_DELETE_LENGTH = 4
MAX_GROUP = 12
MAX_LOOKUP_KEYS = 600
MAX_QUERY_TOKENS = 5
MAX_SIGNAL_GROUP = MAX_GROUP  # a token and its corrections get `u:`/`d:` keys
TYPED_BONUS = 3  # a key of the tokens as typed beats the same key of a correction


def _primary(keys: Keys) -> list[str]:
    seen: list[str] = []
    for token_keys in keys:
        key = token_keys[0]
        if len(key) >= 2 and key not in seen:
            seen.append(key)
    return seen


UPT_GENERIC = frozenset(["lapas", "rutan", "lpka", "lpp", "bapas", "cabrutan"])


def upt_places(upt: frozenset[str]) -> list[str]:
    """The words of a UPT name that tell one UPT from another (`serang`, `pemuda`)."""
    return sorted(t for t in upt if t not in UPT_GENERIC)


def born_key(born: date) -> str:
    return f"b:{born.isoformat()}"


def signal_keys(tokens: Iterable[str], upt: frozenset[str], born: date | None) -> set[str]:
    """`u:<token>|<place>` and `d:<token>|<date>`: a token together with a second signal."""
    keys: set[str] = set() if born is None else {born_key(born)}
    places = upt_places(upt)
    for token in tokens:
        keys.update(f"u:{token}|{place}" for place in places)
        if born is not None:
            keys.add(f"d:{token}|{born.isoformat()}")
    return keys


def record_keys(
    names: PersonNames, upt: frozenset[str] = frozenset(), born: date | None = None
) -> set[str]:
    keys: set[str] = set()
    father = _primary(names.father)
    for form in names.forms:
        own = _primary(form.keys)
        if not own:
            continue
        keys.add("n:" + " ".join(sorted(own)))
        tokens = list(own)
        if form.kind == "nama" and father:
            keys.add("n:" + " ".join(sorted(set(own) | set(father))))
            tokens += [f for f in father if f not in tokens]
        if len(tokens) >= 3:
            for a, b in combinations(tokens[:MAX_PAIR_TOKENS], 2):
                keys.add("p:" + " ".join(sorted((a, b))))
        keys.update("t:" + token for token in own)
        keys.update(signal_keys(own, upt, born))
    return keys


def vocabulary(names: PersonNames) -> set[str]:
    tokens = {k for f in names.forms for k in _primary(f.keys)}
    tokens.update(_primary(names.father))
    return tokens


def deletes(token: str) -> set[str]:
    if len(token) < MIN_DELETE_LENGTH:
        return set()
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


def token_variants(token: str) -> set[str]:
    """The vocabulary rows of one token: itself and its single deletions."""
    return {token} | deletes(token)


def query_variants(tokens: Iterable[str]) -> set[str]:
    return {v for t in tokens for v in token_variants(t)}


def close_enough(query: str, token: str) -> bool:
    limit = 2 if min(len(query), len(token)) >= 7 else 1
    return DamerauLevenshtein.distance(query, token, score_cutoff=limit) <= limit


def correction_groups(tokens: Sequence[str], found: dict[str, set[str]]) -> list[list[str]]:
    """For each query token, the vocabulary tokens it may stand for, closest first.
    `found` maps each variant looked up to the vocabulary tokens stored under it."""
    groups = []
    for token in tokens:
        candidates = {t for v in token_variants(token) for t in found.get(v, ())}
        close = [t for t in candidates if t != token and close_enough(token, t)]
        close.sort(key=lambda t: (DamerauLevenshtein.distance(token, t), t))
        groups.append([token, *close][:MAX_GROUP])
    return groups


def _set_key(prefix: str, tokens: Iterable[str]) -> str:
    return prefix + " ".join(sorted(set(tokens)))


def _combos(groups: Sequence[list[str]]) -> Iterator[tuple[str, ...]]:
    """The tokens as typed, then each with one token replaced by one of its corrections (at
    most one typo per key: linear, not a product, in the size of the groups)."""
    typed = tuple(g[0] for g in groups)
    yield typed
    for i, group in enumerate(groups):
        for correction in group[1:]:
            yield (*typed[:i], correction, *typed[i + 1 :])


def lookup_keys(
    forms: Groups,
    upt: frozenset[str] = frozenset(),
    born: date | None = None,
) -> list[str]:
    """`n:`/`p:` keys to look up, from each query form's (own groups, father groups), and the
    `u:`/`d:` keys of the own tokens (and their corrections) with the query's second signals."""
    keys: dict[str, None] = {}
    for own, _ in forms:
        for key in sorted(signal_keys((t for g in own for t in g[:MAX_SIGNAL_GROUP]), upt, born)):
            keys[key] = None
    for own, father in forms:
        groups = (own + father)[:MAX_QUERY_TOKENS]
        for size in range(len(groups), 0, -1):
            for subset in combinations(groups, size):
                for combo in _combos(subset):
                    if len(set(combo)) == size:
                        keys[_set_key("n:", combo)] = None
                    if size == 2:
                        keys[_set_key("p:", combo)] = None
    return list(keys)[:MAX_LOOKUP_KEYS]


Groups = Sequence[tuple[list[list[str]], list[list[str]]]]


def key_weight(key: str) -> int:
    """A whole-name key 10 per token it covers, a pair key a little less than a two-token name,
    a token agreeing with the UPT or the date of birth more than the token alone, the date of
    birth alone more than one token."""
    prefix = key[:2]
    if prefix == "n:":
        return 10 * (key.count(" ") + 1)
    if prefix == "p:":
        return 16
    if prefix == "b:":
        return 15
    return 12


def weighted_keys(
    forms: Groups, upt: frozenset[str] = frozenset(), born: date | None = None
) -> dict[str, int]:
    """`lookup_keys` with their weights; keys of the tokens as typed get `TYPED_BONUS` more."""
    typed_forms = [([g[:1] for g in own], [g[:1] for g in father]) for own, father in forms]
    typed = set(lookup_keys(typed_forms, upt, born))
    return {
        key: key_weight(key) + (TYPED_BONUS if key in typed else 0)
        for key in lookup_keys(forms, upt, born)
    }


def form_tokens(form: NameForm) -> list[str]:
    return _primary(form.keys)
