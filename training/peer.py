"""The peer every model of ours must beat: TF-IDF (word 1-2 + char 2-5 grams) + logistic regression."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def fit_peer(texts: Sequence[str], y: np.ndarray, seed: int = 0, C: float = 20.0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.feature_extraction.text import TfidfVectorizer

    features = make_union(
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=True),
    )
    clf = make_pipeline(features, LogisticRegression(C=C, max_iter=2000, random_state=seed))
    clf.fit(list(texts), y)
    return clf
