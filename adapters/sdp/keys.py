"""Blocking keys: what the SQL directory indexes so a search reads a few hundred rows, not all.

Per record (from the primary phonetic key of each token of at least two letters):
  `n:<sorted tokens>`  the whole name as a set (order-free); with the father's name added too;
  `p:<a> <b>`          every pair of tokens of names of three tokens or more (dropped tokens);
  `t:<token>`          every single token, the father's too (read with a limit, as a fallback;
                       all of a query's tokens together without one, when nothing else is found);
  `u:<token>|<place>`  every token with each distinctive word of the UPT (`u:budi|serang`);
  `d:<token>|<date>`   every token with the date of birth;
  `b:<date>`           the date of birth alone (a dozen records per date on a national table, so
                       a query with a date finds its person even when every name token is mistyped).
Spacing varies (Nur Hayati, Nurhayati): each name also gets the `n:` and `t:` keys of itself with
one adjacent pair of tokens joined, and a query looks up its own joined forms too (a joined query
token weighs as the two tokens it stands for).
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
from itertools import combinations, pairwise

from rapidfuzz.distance import DamerauLevenshtein

from adapters.sdp.matching import Keys, NameForm, PersonNames
from adapters.sdp.names import joined_key, joined_variants

MAX_PAIR_TOKENS = 6
MIN_DELETE_LENGTH = 4
MAX_GROUP = 8
MAX_LOOKUP_KEYS = 300
MAX_QUERY_TOKENS = 5
MAX_SIGNAL_GROUP = MAX_GROUP  # a token and its corrections get `u:`/`d:` keys
TYPED_BONUS = 3  # a key of the tokens as typed beats the same key of a correction
CORRECTION_DISCOUNT = 0.25  # a key with a corrected token weighs a quarter less
SIGNAL_PREFIXES = ("u:", "d:", "b:")


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
    keys: set[str] = set() if born is None else {born_key(born)}
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
        for variant in joined_variants(own):
            keys.add("n:" + " ".join(sorted(set(variant))))
        keys.update("t:" + joined for joined in joined_tokens(own))
    keys.update("t:" + token for token in father)
    return keys


def joined_tokens(tokens: Sequence[str]) -> list[str]:
    """The tokens a name's adjacent pairs make when written as one."""
    return [joined_key(a, b) for a, b in pairwise(tokens)]


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


def _combos(groups: Sequence[list[str]]) -> Iterator[tuple[tuple[str, ...], bool]]:
    """The tokens as typed, then each with one token replaced by one of its corrections (at
    most one typo per key: linear, not a product, in the size of the groups); with whether a
    correction is in it."""
    typed = tuple(g[0] for g in groups)
    yield typed, False
    for i, group in enumerate(groups):
        for correction in group[1:]:
            yield (*typed[:i], correction, *typed[i + 1 :]), True


Groups = Sequence[tuple[list[list[str]], list[list[str]]]]


def _smallest_subset(own: Sequence[list[str]]) -> int:
    """Below this many tokens a subset of a query form gets no `n:` key (range-exclusive):
    one token of a longer name alone is the whole name of thousands of records (a nickname
    like `Badak` is an alias of one in a hundred); the single-token fallback reads those."""
    return 0 if len(own) <= 1 else 1


def lookup_keys(
    forms: Groups, upt: frozenset[str] = frozenset(), born: date | None = None
) -> dict[str, float]:
    """`n:`/`p:` keys to look up, from each query form's (own groups, father groups), and the
    `u:`/`d:`/`b:` keys of the own tokens (and their corrections) with the query's second
    signals; each with the share of its tokens that are corrections, not as typed (0 to 1)."""
    keys: dict[str, float] = {}

    def add(key: str, share: float) -> None:
        keys[key] = min(share, keys.get(key, 1.0))

    for own, _ in forms:
        for group in own:
            for rank, token in enumerate(group[:MAX_SIGNAL_GROUP]):
                for key in sorted(signal_keys([token], upt, born)):
                    add(key, 0.0 if rank == 0 or key.startswith("b:") else 1.0)
    for own, father in forms:
        groups = (own + father)[:MAX_QUERY_TOKENS]
        for size in range(len(groups), _smallest_subset(own), -1):
            for subset in combinations(groups, size):
                for combo, corrected in _combos(subset):
                    share = 1 / size if corrected else 0.0
                    if len(set(combo)) == size:
                        add(_set_key("n:", combo), share)
                    if size == 2:
                        add(_set_key("p:", combo), share)
    return dict(list(keys.items())[:MAX_LOOKUP_KEYS])


def key_weight(key: str, joined: frozenset[str] = frozenset()) -> int:
    """A whole-name key 10 per token it covers (a joined query token covers two), a pair key a
    little less than a two-token name, a token agreeing with the UPT or the date of birth more
    than the token alone, the date of birth alone more than one token."""
    prefix = key[:2]
    if prefix == "n:":
        tokens = key[2:].split(" ")
        return 10 * (len(tokens) + sum(t in joined for t in tokens))
    if prefix == "p:":
        return 16
    if prefix == "b:":
        return 15
    return 12


def weighted_keys(
    forms: Groups,
    upt: frozenset[str] = frozenset(),
    born: date | None = None,
    joined: frozenset[str] = frozenset(),
) -> tuple[dict[str, float], list[str]]:
    """The keys to look up with their weights (a corrected token counts `CORRECTION_DISCOUNT`
    less, a key of the tokens as typed gets `TYPED_BONUS` more), and those of them that join a
    token as typed with a second signal (`u:`/`d:`/`b:`)."""
    weighted: dict[str, float] = {}
    signal: list[str] = []
    for key, share in lookup_keys(forms, upt, born).items():
        weight = key_weight(key, joined) * (1 - CORRECTION_DISCOUNT * share)
        if not share:
            weight += TYPED_BONUS
            if key[:2] in SIGNAL_PREFIXES:
                signal.append(key)
        weighted[key] = weight
    return weighted, signal


def form_tokens(form: NameForm) -> list[str]:
    return _primary(form.keys)
