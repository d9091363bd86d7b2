"""WordPiece tokenizer: trainer, encoder and tokenizer.json writer.

The encoder reproduces, step by step, what transformers.js does with the
tokenizer.json we write (BertNormalizer -> BertPreTokenizer -> WordPiece ->
[CLS] $A [SEP], truncation by cutting the id list), so that the ids the model is
trained on are exactly the ids the browser feeds it. tests/model checks this
parity on a corpus with accents, punctuation and over-long inputs.
"""
from __future__ import annotations

import collections
import json
import unicodedata
from typing import Dict, Iterable, List, Sequence, Tuple

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL_TOKENS = [PAD, UNK, CLS, SEP, MASK]
PREFIX = "##"
MAX_INPUT_CHARS_PER_WORD = 100

# JavaScript's \s (what transformers.js tests with /^\s$/).
_JS_WHITESPACE = set(
    "\t\n\x0b\x0c\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)
# Characters that are always in the vocabulary so that unseen words fall back to
# characters rather than to [UNK].
_BASE_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _is_control(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs")


def _is_chinese(ch: str) -> bool:
    cp = ord(ch)
    # transformers.js tests UTF-16 code units, so astral characters never match.
    if cp > 0xFFFF:
        return False
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
    )


def is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 0x21 <= cp <= 0x2F or 0x3A <= cp <= 0x40 or 0x5B <= cp <= 0x60 or 0x7B <= cp <= 0x7E:
        return True
    return unicodedata.category(ch).startswith("P")


def normalize(text: str) -> str:
    """BertNormalizer(clean_text, handle_chinese_chars, lowercase, strip_accents)."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        out.append(" " if ch in _JS_WHITESPACE else ch)
    text = "".join(out)
    text = "".join(f" {c} " if _is_chinese(c) else c for c in text)
    text = text.lower()
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def pre_tokenize(normalized: str) -> List[str]:
    """BertPreTokenizer: split on whitespace, isolate each punctuation character."""
    words: List[str] = []
    cur: List[str] = []
    for ch in normalized:
        if ch in _JS_WHITESPACE:
            if cur:
                words.append("".join(cur))
                cur = []
        elif is_punctuation(ch):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


def split_special(text: str) -> List[str]:
    """Split raw text on literal special tokens, leftmost-longest, like transformers.js."""
    parts: List[str] = []
    start = i = 0
    n = len(text)
    while i < n:
        match = None
        if text[i] == "[":
            for tok in SPECIAL_TOKENS:
                if text.startswith(tok, i):
                    match = tok
                    break
        if match:
            if i > start:
                parts.append(text[start:i])
            parts.append(match)
            i += len(match)
            start = i
        else:
            i += 1
    if start < n:
        parts.append(text[start:])
    return parts


class WordPiece:
    def __init__(self, vocab: Sequence[str], model_max_length: int = 128):
        self.vocab = list(vocab)
        self.token_to_id: Dict[str, int] = {t: i for i, t in enumerate(self.vocab)}
        for i, tok in enumerate(SPECIAL_TOKENS):
            if self.vocab[i] != tok:
                raise ValueError("special tokens must come first in the vocabulary")
        self.model_max_length = model_max_length
        self.pad_id, self.unk_id, self.cls_id, self.sep_id, self.mask_id = range(5)

    def __len__(self) -> int:
        return len(self.vocab)

    def word_pieces(self, word: str) -> List[str]:
        chars = list(word)
        if len(chars) > MAX_INPUT_CHARS_PER_WORD:
            return [UNK]
        pieces = []
        start = 0
        while start < len(chars):
            end = len(chars)
            cur = None
            while start < end:
                sub = "".join(chars[start:end])
                if start > 0:
                    sub = PREFIX + sub
                if sub in self.token_to_id:
                    cur = sub
                    break
                end -= 1
            if cur is None:
                return [UNK]
            pieces.append(cur)
            start = end
        return pieces

    def tokenize(self, text: str) -> List[str]:
        tokens: List[str] = []
        for section in split_special(text):
            if section in SPECIAL_TOKENS:
                tokens.append(section)
                continue
            for word in pre_tokenize(normalize(section)):
                tokens.extend(self.word_pieces(word))
        return tokens

    def encode(self, text: str) -> List[int]:
        ids = [self.cls_id] + [self.token_to_id[t] for t in self.tokenize(text)] + [self.sep_id]
        # transformers.js truncates by cutting the list (the final [SEP] goes too).
        return ids[: self.model_max_length]

    # ---- serialisation -------------------------------------------------
    def tokenizer_json(self) -> dict:
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {
                    "id": i,
                    "content": tok,
                    "single_word": False,
                    "lstrip": False,
                    "rstrip": False,
                    "normalized": False,
                    "special": True,
                }
                for i, tok in enumerate(SPECIAL_TOKENS)
            ],
            "normalizer": {
                "type": "BertNormalizer",
                "clean_text": True,
                "handle_chinese_chars": True,
                "strip_accents": None,
                "lowercase": True,
            },
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [
                    {"SpecialToken": {"id": CLS, "type_id": 0}},
                    {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": SEP, "type_id": 0}},
                ],
                "pair": [
                    {"SpecialToken": {"id": CLS, "type_id": 0}},
                    {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": SEP, "type_id": 0}},
                    {"Sequence": {"id": "B", "type_id": 1}},
                    {"SpecialToken": {"id": SEP, "type_id": 1}},
                ],
                "special_tokens": {
                    CLS: {"id": CLS, "ids": [self.cls_id], "tokens": [CLS]},
                    SEP: {"id": SEP, "ids": [self.sep_id], "tokens": [SEP]},
                },
            },
            "decoder": {"type": "WordPiece", "prefix": PREFIX, "cleanup": True},
            "model": {
                "type": "WordPiece",
                "unk_token": UNK,
                "continuing_subword_prefix": PREFIX,
                "max_input_chars_per_word": MAX_INPUT_CHARS_PER_WORD,
                "vocab": {tok: i for i, tok in enumerate(self.vocab)},
            },
        }

    def tokenizer_config(self) -> dict:
        return {
            "tokenizer_class": "BertTokenizer",
            "do_lower_case": True,
            "model_max_length": self.model_max_length,
            "padding_side": "right",
            "pad_token": PAD,
            "unk_token": UNK,
            "cls_token": CLS,
            "sep_token": SEP,
            "mask_token": MASK,
            "clean_up_tokenization_spaces": True,
        }

    def save(self, folder: str) -> None:
        import os

        with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(self.tokenizer_json(), f, ensure_ascii=False, separators=(",", ":"))
        with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(self.tokenizer_config(), f, indent=2)

    @classmethod
    def load(cls, folder: str) -> "WordPiece":
        import os

        with open(os.path.join(folder, "tokenizer.json"), encoding="utf-8") as f:
            vocab_map = json.load(f)["model"]["vocab"]
        with open(os.path.join(folder, "tokenizer_config.json"), encoding="utf-8") as f:
            max_len = json.load(f).get("model_max_length", 128)
        vocab = [None] * len(vocab_map)
        for tok, i in vocab_map.items():
            vocab[i] = tok
        return cls(vocab, max_len)


def train_wordpiece(
    texts: Iterable[str],
    vocab_size: int = 4000,
    min_frequency: int = 2,
    model_max_length: int = 128,
) -> WordPiece:
    """Learn a WordPiece vocabulary the way HF's WordPieceTrainer does: BPE merges
    by pair frequency over the pre-tokenised words, with '##' marking non-initial
    pieces. Deterministic: ties are broken by the pair's text."""
    word_counts: collections.Counter = collections.Counter()
    for text in texts:
        for section in split_special(text):
            if section in SPECIAL_TOKENS:
                continue
            word_counts.update(pre_tokenize(normalize(section)))

    alphabet = set()
    for word in word_counts:
        if len(word) > MAX_INPUT_CHARS_PER_WORD:
            continue
        for i, ch in enumerate(word):
            alphabet.add(ch if i == 0 else PREFIX + ch)
    for ch in _BASE_ALPHABET + "".join(chr(c) for c in range(0x21, 0x7F) if is_punctuation(chr(c))):
        alphabet.add(ch)
        if ch.isalnum():
            alphabet.add(PREFIX + ch)
    vocab: List[str] = list(SPECIAL_TOKENS) + sorted(alphabet)
    known = set(vocab)

    words: List[List[str]] = []
    freqs: List[int] = []
    for word, c in sorted(word_counts.items()):
        if len(word) > MAX_INPUT_CHARS_PER_WORD:
            continue
        words.append([word[0]] + [PREFIX + ch for ch in word[1:]])
        freqs.append(c)

    def merged(a: str, b: str) -> str:
        return a + (b[len(PREFIX):] if b.startswith(PREFIX) else b)

    pair_counts: Dict[Tuple[str, str], int] = collections.Counter()
    where: Dict[Tuple[str, str], set] = collections.defaultdict(set)
    for wi, syms in enumerate(words):
        for a, b in zip(syms, syms[1:]):
            pair_counts[(a, b)] += freqs[wi]
            where[(a, b)].add(wi)

    while len(vocab) < vocab_size and pair_counts:
        best = max(pair_counts.items(), key=lambda kv: (kv[1], kv[0][0], kv[0][1]))
        (a, b), count = best
        if count < min_frequency:
            break
        new = merged(a, b)
        if new not in known:
            vocab.append(new)
            known.add(new)
        for wi in list(where.pop((a, b), ())):
            syms = words[wi]
            f = freqs[wi]
            for x, y in zip(syms, syms[1:]):
                pair_counts[(x, y)] -= f
                if pair_counts[(x, y)] <= 0:
                    del pair_counts[(x, y)]
                where[(x, y)].discard(wi)
            out = []
            i = 0
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                    out.append(new)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            words[wi] = out
            for x, y in zip(out, out[1:]):
                pair_counts[(x, y)] += f
                where[(x, y)].add(wi)
        pair_counts.pop((a, b), None)
    return WordPiece(vocab, model_max_length)
