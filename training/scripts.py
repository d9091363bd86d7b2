"""Which writing systems the training texts use: the card's `training.script_profile`
and the bot's `language` inferred from it (see the model card contract in README.md)."""
from __future__ import annotations

import bisect
import unicodedata
from typing import Dict, Iterable, List, Optional, Tuple

from .script_ranges import SCRIPT_LETTER_RANGES
from .tokenizer import normalize

OTHER = "Other"

# Sorted (start, end, script) for a binary search over every named script's letters.
_RANGES: List[Tuple[int, int, str]] = sorted((a, b, s) for s, rs in SCRIPT_LETTER_RANGES.items() for a, b in rs)
_STARTS = [a for a, _, _ in _RANGES]

# Scripts written without spaces between words: whitespace does not mark word units.
UNSPACED_SCRIPTS = ("Han", "Hiragana", "Katakana", "Thai")


def is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def script_of(ch: str) -> str:
    """The Unicode Script of a letter, among the scripts the profile names, else "Other"."""
    cp = ord(ch)
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and _RANGES[i][0] <= cp <= _RANGES[i][1]:
        return _RANGES[i][2]
    return OTHER


def script_shares(texts: Iterable[str]) -> Dict[str, float]:
    """Share of the letters of `texts` per script, rounded to 4 decimals, only scripts
    with a share > 0, largest first."""
    counts: Dict[str, int] = {}
    total = 0
    for t in texts:
        for ch in t:
            if is_letter(ch):
                s = script_of(ch)
                counts[s] = counts.get(s, 0) + 1
                total += 1
    if total == 0:
        return {}
    shares = {s: round(c / total, 4) for s, c in counts.items()}
    return {s: v for s, v in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0])) if v > 0}


def character_inventory(texts: Iterable[str]) -> str:
    """Every distinct letter or decimal digit of `texts` after the tokenizer's
    normalisation (lower-case, NFD, combining marks removed), sorted by code point."""
    seen = set()
    for t in texts:
        for ch in normalize(t):
            cat = unicodedata.category(ch)
            if cat.startswith("L") or cat == "Nd":
                seen.add(ch)
    return "".join(sorted(seen))


def script_profile(texts: Iterable[str]) -> dict:
    texts = list(texts)
    return {"scripts": script_shares(texts), "characters": character_inventory(texts)}


# A text with this share of kana is Japanese even when kanji (Han) are the larger part.
JAPANESE_KANA_SHARE = 0.1


def infer_language(scripts: Dict[str, float]) -> str:
    """BCP 47 tag of the bot's language from its training script shares: Han -> zh,
    Hiragana/Katakana -> ja, Hangul -> ko, Thai -> th, anything else -> en."""
    if not scripts:
        return "en"
    kana = scripts.get("Hiragana", 0.0) + scripts.get("Katakana", 0.0)
    han = scripts.get("Han", 0.0)
    if kana >= JAPANESE_KANA_SHARE and kana + han >= 0.5:
        return "ja"
    grouped = {"ja": kana, "zh": han, "ko": scripts.get("Hangul", 0.0), "th": scripts.get("Thai", 0.0)}
    tag, share = max(grouped.items(), key=lambda kv: kv[1])
    # The language of most letters; a few Han names in Latin text keep it English.
    others = 1.0 - sum(grouped.values())
    return tag if share > others else "en"


def unspaced_share(scripts: Dict[str, float]) -> float:
    """Share of letters in scripts written without spaces between words."""
    return round(sum(scripts.get(s, 0.0) for s in UNSPACED_SCRIPTS), 4)


def main_script(scripts: Dict[str, float]) -> Optional[str]:
    return next(iter(scripts), None)
