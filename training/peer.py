"""The peers every model of ours must beat: TF-IDF n-grams + logistic regression.

* "word+char": word 1-2 grams and char 2-5 grams within word boundaries (strong on
  spaced text such as English);
* "char": character 1-3 grams over the whole text, spaces included (suits unspaced
  scripts, where a word analyser sees a whole sentence as one word).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

PEER_FEATURES = ("word+char", "char")


def peer_features(kind: str):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    if kind == "word+char":
        return make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=True),
        )
    if kind == "char":
        return make_union(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1, lowercase=True))
    raise ValueError(f"unknown peer features {kind!r}; expected one of {', '.join(PEER_FEATURES)}")


def fit_peer(texts: Sequence[str], y: np.ndarray, seed: int = 0, C: float = 20.0, features: str = "word+char"):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    clf = make_pipeline(peer_features(features), LogisticRegression(C=C, max_iter=2000, random_state=seed))
    clf.fit(list(texts), y)
    return clf


def peer_vocabulary_size(clf) -> int:
    return int(sum(len(v.vocabulary_) for _, v in clf.steps[0][1].transformer_list))
