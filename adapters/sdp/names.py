"""Indonesian names for matching: folding, titles, bin/binti, aliases, spelling variants, keys.

A name goes through three levels:
  1. `parse_name` folds case, accents and punctuation, removes titles and degrees, splits off
     `bin`/`binti` (the father's name, a second signal) and `als`/`alias`/`@` (aliases);
  2. `canonical_token` maps Arabic-origin variants and abbreviations to one spelling
     (Moch., M., Mohammad -> muhammad);
  3. `token_keys` gives a token's phonetic keys: the old-spelling rules (tj/c, dj/j, j/y, nj/ny,
     sj/sy, ch/kh, oe/u) and other common variance collapse to one key. The rules conflict
     (`ch` is `kh` in Chairul but `c` in Chandra), so a token may have two keys.
`spelling_variants` generates the spellings those rules allow; every variant shares a key with
the original (a tested property).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache


def _words(text: str) -> list[str]:
    return text.split()


# Titles written before a name (Haji, academic and religious titles, forms of address).
PREFIX_TITLES = frozenset(
    _words(
        """h hj haji hajjah hajah hji drs dra dr ir prof kh kyai kiai ustadz ustad ustadzah ust
    ny nyonya tn tuan sdr sdri saudara saudari bpk bapak ibu bu pak almarhum alm almh
    """
    )
)
# Academic degrees written after a name.
DEGREES = frozenset(
    _words(
        """sh se spd skom st sag ssos sip mh mm msi mpd amd skep spsi lc mkes skm sst mkn
    ssi sked mt mba phd shi sthi spdi sfarm sikom shum mag mhum mkom msc bsc ak
    """
    )
)
_ALIAS_SPLIT = re.compile(r"\b(?:als|alias|aka)\b\.?|@|\(|\)")
_FATHER_SPLIT = re.compile(r"\b(?:bin|binti|bint)\b\.?")
_TOKEN_SPLIT = re.compile(r"[\s,;/\-]+")

# Arabic-origin and other names whose vowels or abbreviations vary beyond the spelling keys.
_CANONICAL_GROUPS: dict[str, str] = {
    "muhammad": (
        "muhamad mohammad mohamad mochammad mochamad muchammad muchamad mokhammad mokhamad "
        "mukhammad mukhamad mohammed muhammed mohamed muhamed mohd moch mochd moh muh mhd md m "
        "mhmd mohamat muhamat"
    ),
    "ahmad": "achmad akhmad ahmat achmat akhmat ahmed achmed",
    "aisyah": "aisah aisha aishah aisya aisiah aisyiah",
    "abdul": "abd abdoel abdol",
    "nur": "noor nor noer nuur",
    "yusuf": "yusup jusuf joesoef yoesoef jusup yusof",
    "umar": "oemar omar",
    "usman": "utsman osman othman oesman ustman",
    "husain": "husein hussein hussain husin husen",
    "rahmat": "rohmat rachmat rakhmat rahmad",
    "sholeh": "soleh saleh shaleh sholih salih",
    "taufik": "taufiq topik taufic taufiek",
    "fatimah": "fatma fatmah fatimeh",
    "siti": "sitti st",
    "mustofa": "mustafa musthofa mustopa mustapa",
    "khadijah": "khodijah hadijah kadijah",
    "ridwan": "ridhwan riduan ridhuan",
    "rizki": "rizky rezki rezky rizqi rizqy riski rizkiy",
    "zulkifli": "dzulkifli zulkifly",
    "ibrahim": "ibrahem ebrahim",
    "mahmud": "mahmoed machmud mahmood",
    "syarif": "sarif syarief",
    "hasan": "hassan hasen",
    "fauzi": "fauzy fauzie fawzi",
    "hidayat": "hidajat",
    "maryam": "mariam",
}
CANONICAL_TOKENS: dict[str, str] = {
    variant: canonical
    for canonical, variants in _CANONICAL_GROUPS.items()
    for variant in _words(variants)
}

# Abbreviations that mean Muhammad (or Siti: `St.`) only as the first token.
_LEADING_ABBREVIATIONS = frozenset(_words("m md mhd moh muh moch mochd st"))

# Old-spelling rules (both directions generate variants). Single letters are not rewritten
# where they belong to a digraph of another rule.
SPELLING_RULES: tuple[tuple[str, str], ...] = (
    ("tj", "c"),
    ("dj", "j"),
    ("j", "y"),
    ("nj", "ny"),
    ("sj", "sy"),
    ("ch", "kh"),
    ("oe", "u"),
)
_RULE_PATTERNS: dict[str, str] = {
    "j": r"(?<![dtsn])j",
    "y": r"(?<![ns])y",
    "c": r"c(?!h)",
    "u": r"(?<!o)u",
}


def fold(text: str) -> str:
    """Lowercase ASCII: accents and apostrophes dropped (Ma'ruf -> maruf)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"['`´’]", "", ascii_text.lower())


def canonical_token(token: str) -> str:
    return CANONICAL_TOKENS.get(token, token)


def collapse_repeats(text: str) -> str:
    """Doubled letters written once (`abdurrahman` -> `abdurahman`), as the phonetic keys do."""
    return re.sub(r"(.)\1+", r"\1", text)


def _phonetic(token: str, *, ch_as_c: bool) -> str:
    s = token.replace("oe", "u").replace("tj", "c").replace("dj", "j")
    s = s.replace("sj", "sy").replace("nj", "ny").replace("j", "y")
    s = s.replace("ch", "c" if ch_as_c else "kh").replace("kh", "h").replace("sy", "s")
    s = s.replace("sh", "s").replace("dh", "d").replace("th", "t").replace("ph", "f")
    s = s.replace("q", "k").replace("v", "f")
    s = s.replace("ae", "ai").replace("ei", "ai")
    s = collapse_repeats(s)
    if len(s) > 2 and s.endswith("y"):
        s = s[:-1] + "i"
    if len(s) > 3 and s.endswith("h") and s[-2] in "aiueo":
        s = s[:-1]
    return s


@lru_cache(maxsize=1 << 16)
def token_keys(token: str) -> tuple[str, ...]:
    """The phonetic keys of a canonical token: the primary key first, then an alternative.
    (Cached: a national import meets the same few thousand tokens again and again.)"""
    primary = _phonetic(token, ch_as_c=False)
    if "ch" in token.replace("tj", "c"):
        alternative = _phonetic(token, ch_as_c=True)
        if alternative != primary:
            return (primary, alternative)
    return (primary,)


def spelling_variants(token: str, *, limit: int = 64) -> set[str]:
    """Spellings of a token under the old-spelling rules, applied in both directions."""
    seen = {token}
    frontier = [token]
    while frontier and len(seen) < limit:
        current = frontier.pop()
        for old, new in SPELLING_RULES:
            for source, target in ((old, new), (new, old)):
                pattern = _RULE_PATTERNS.get(source, re.escape(source))
                candidate = re.sub(pattern, target, current)
                if candidate not in seen and len(seen) < limit:
                    seen.add(candidate)
                    frontier.append(candidate)
    return seen


@dataclass(frozen=True)
class ParsedName:
    """One name as written, reduced to canonical tokens."""

    tokens: tuple[str, ...]
    father: tuple[str, ...] = ()
    aliases: tuple[ParsedName, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.tokens


def _clean_tokens(segment: str) -> list[str]:
    raw_tokens = [t for t in _TOKEN_SPLIT.split(segment) if t]
    tokens: list[str] = []
    for position, raw in enumerate(raw_tokens):
        bare = re.sub(r"[^a-z]", "", raw)
        if not bare:
            continue
        has_more = position < len(raw_tokens) - 1
        if not tokens and has_more and bare in PREFIX_TITLES:
            continue
        if tokens and bare in DEGREES and ("." in raw or position == len(raw_tokens) - 1):
            continue
        if tokens and bare in _LEADING_ABBREVIATIONS:
            tokens.append(bare)  # "Md." after "I" is Balinese Made, not Muhammad
        else:
            tokens.append(canonical_token(bare))
    return tokens


def _parse_segment(segment: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    parts = _FATHER_SPLIT.split(segment, maxsplit=1)
    own = _clean_tokens(parts[0])
    if len(parts) == 2 and own:
        return tuple(own), tuple(_clean_tokens(parts[1]))
    return tuple(_clean_tokens(segment)), ()


def parse_name(text: str) -> ParsedName:
    """Split a written name into its own tokens, father's tokens and aliases."""
    folded = fold(text)
    segments = [s for s in _ALIAS_SPLIT.split(folded) if s and s.strip(" .,")]
    parsed = [_parse_segment(s) for s in segments]
    parsed = [(own, father) for own, father in parsed if own]
    if not parsed:
        return ParsedName(tokens=())
    father = next((f for _, f in parsed if f), ())
    aliases = tuple(ParsedName(tokens=own) for own, _ in parsed[1:])
    return ParsedName(tokens=parsed[0][0], father=father, aliases=aliases)


def name_keys(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The keys of each token of a name."""
    return tuple(token_keys(t) for t in tokens)


def joined_key(first: str, second: str) -> str:
    """The key of two tokens written as one (`nur` + `hayati` -> `nurhayati`). Keys have no
    doubled letters, so only the seam can double (`abdur` + `rahman` -> `abdurahman`)."""
    if first and second and first[-1] == second[0]:
        return first + second[1:]
    return first + second


def joined_variants(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    """A name's keys with one adjacent pair written as one token, for each pair: spacing varies
    in everyday spelling (Nur Hayati, Nurhayati; Abdul Rahman, Abdulrahman)."""
    return [
        (*tokens[:i], joined_key(tokens[i], tokens[i + 1]), *tokens[i + 2 :])
        for i in range(len(tokens) - 1)
    ]
