"""Blocking keys: what the SQL directory indexes so a search reads a few hundred rows, not all.

Per record (from the primary phonetic key of each token of at least two letters):
  `n:<sorted tokens>`  the whole name as a set (order-free); with the father's name added too;
  `p:<a> <b>`          every pair of tokens of names of three tokens or more (dropped tokens);
  `t:<token>`          every single token (read with a limit, as a fallback).
Typos are absorbed on the vocabulary side: every distinct token key is stored with its
single-character deletions (SymSpell), so a query token finds the vocabulary tokens within one
edit, and the record keys are then looked up for those corrected tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations, islice, product

from rapidfuzz.distance import DamerauLevenshtein

from adapters.sdp.matching import Keys, NameForm, PersonNames

MAX_PAIR_TOKENS = 6
MIN_DELETE_LENGTH = 4
MAX_GROUP = 6
MAX_COMBOS_PER_SUBSET = 36
MAX_LOOKUP_KEYS = 400
MAX_QUERY_TOKENS = 5


def _primary(keys: Keys) -> list[str]:
    seen: list[str] = []
    for token_keys in keys:
        key = token_keys[0]
        if len(key) >= 2 and key not in seen:
            seen.append(key)
    return seen


def record_keys(names: PersonNames) -> set[str]:
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


def lookup_keys(forms: Sequence[tuple[list[list[str]], list[list[str]]]]) -> list[str]:
    """`n:`/`p:` keys to look up, from each query form's (own groups, father groups)."""
    keys: dict[str, None] = {}
    # First the tokens as typed, then their corrections (so the cap never drops the former).
    for as_typed in (True, False):
        for own, father in forms:
            groups = [g[:1] if as_typed else g for g in (own + father)[:MAX_QUERY_TOKENS]]
            for size in range(len(groups), 0, -1):
                for subset in combinations(groups, size):
                    for combo in islice(product(*subset), MAX_COMBOS_PER_SUBSET):
                        if len(set(combo)) == size:
                            keys[_set_key("n:", combo)] = None
                        if size == 2:
                            keys[_set_key("p:", combo)] = None
    return list(keys)[:MAX_LOOKUP_KEYS]


def form_tokens(form: NameForm) -> list[str]:
    return _primary(form.keys)
