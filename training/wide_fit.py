"""A convex fit of the wide path, added to the trained model with a weight chosen on validation.

Trained jointly with the encoder for a fixed schedule, the wide path's n-gram tables stay far
from what a logistic regression on the same features reaches: on smp2017 split 13, the
regression alone (C chosen on validation) scores 90.9 % held out, the whole jointly trained
model 88.1 %. So after training, the regression is fitted on exactly the features the wide
path computes (`wide_features`: the mean of each order's n-gram indicators, as
`IntentEncoder.wide_logits`), and `alpha` times its weights are added to every member's tables
(its intercept to the classifier's bias). The graph is unchanged: the browser computes the same
logits, now base + alpha * regression. alpha = 0 (no change) is among the choices.
"""
from __future__ import annotations

import sys
from collections import Counter
from typing import List, Sequence

import numpy as np
import torch

from .model import IntentEncoder

C_GRID = (30.0, 100.0, 300.0, 1000.0, 3000.0)
ALPHA_GRID = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


def wide_features(seqs: Sequence[Sequence[int]], vocab_size: int, bigram_buckets: int, trigram_buckets: int):
    """Sparse rows of [unigram ids | bigram buckets | trigram buckets], each order's block the
    mean of its indicators over the message (what `IntentEncoder.wide_logits` multiplies)."""
    import scipy.sparse as sp

    H = IntentEncoder.BIGRAM_HASH
    rows: List[int] = []
    cols: List[int] = []
    vals: List[float] = []
    for r, ids in enumerate(seqs):
        ids = [int(i) for i in ids]
        blocks = [ids, [vocab_size + (ids[i] * H + ids[i + 1]) % bigram_buckets for i in range(len(ids) - 1)]]
        if trigram_buckets > 0:
            base = vocab_size + bigram_buckets
            blocks.append([base + ((ids[i] * H + ids[i + 1]) * H + ids[i + 2]) % trigram_buckets for i in range(len(ids) - 2)])
        for block in blocks:
            for feature, k in Counter(block).items():
                rows.append(r)
                cols.append(feature)
                vals.append(k / len(block))
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(seqs), vocab_size + bigram_buckets + trigram_buckets))


def _members(model) -> List[IntentEncoder]:
    return list(model.members) if hasattr(model, "members") else [model]


def fit_convex_wide(model, train_seqs, train_y, val_seqs, val_y, n_classes: int, seed: int, predict_logits, log=lambda s: sys.stderr.write(s + "\n")) -> dict:
    """Fits the regression (C on validation), chooses alpha on validation, adds alpha times it
    to the model in place. Returns what was chosen, for the card."""
    from sklearn.linear_model import LogisticRegression

    cfg = _members(model)[0].cfg
    if cfg.wide_bigram_buckets <= 0:
        return {"applied": False, "reason": "the model has no wide path"}
    dims = (cfg.vocab_size, cfg.wide_bigram_buckets, cfg.wide_trigram_buckets)
    x_train = wide_features(train_seqs, *dims)
    x_val = wide_features(val_seqs, *dims)
    best = None
    for c in C_GRID:
        clf = LogisticRegression(C=c, max_iter=3000, random_state=seed).fit(x_train, train_y)
        acc = float((clf.predict(x_val) == val_y).mean())
        log(f"wide fit: C={c:g} validation accuracy {acc:.2%}")
        if best is None or acc > best[0]:
            best = (acc, c, clf)
    regression_acc, c, clf = best
    weights = np.zeros((n_classes, x_train.shape[1]), dtype=np.float64)
    bias = np.zeros(n_classes, dtype=np.float64)
    present = clf.classes_.astype(int)
    # A class absent from the training rows keeps a very low score, as the regression gives it none.
    bias[:] = -30.0
    weights[present] = clf.coef_ if len(present) > 2 else np.vstack([-clf.coef_[0] / 2, clf.coef_[0] / 2])
    bias[present] = clf.intercept_ if len(present) > 2 else np.array([-clf.intercept_[0] / 2, clf.intercept_[0] / 2])
    base_val = predict_logits(model, val_seqs)
    regression_val = np.asarray(x_val @ weights.T) + bias
    scores = []
    for alpha in ALPHA_GRID:
        acc = float(((base_val + alpha * regression_val).argmax(1) == val_y).mean())
        scores.append((acc, -alpha, alpha))
        log(f"wide fit: alpha {alpha:g} validation accuracy {acc:.2%}")
    acc, _, alpha = max(scores)  # ties go to the smaller alpha
    base_acc = float((base_val.argmax(1) == val_y).mean())
    if alpha > 0:
        v, b2 = cfg.vocab_size, cfg.wide_bigram_buckets
        with torch.no_grad():
            for member in _members(model):
                member.wide_uni.weight += torch.tensor(alpha * weights[:, :v].T, dtype=torch.float32)
                member.wide_bi.weight += torch.tensor(alpha * weights[:, v : v + b2].T, dtype=torch.float32)
                if cfg.wide_trigram_buckets > 0:
                    member.wide_tri.weight += torch.tensor(alpha * weights[:, v + b2 :].T, dtype=torch.float32)
                member.classifier.bias += torch.tensor(alpha * bias, dtype=torch.float32)
        after = predict_logits(model, val_seqs)
        gap = float(np.abs(after - (base_val + alpha * regression_val)).max())
        if gap > 1e-2:
            raise RuntimeError(f"wide fit: the model's logits differ from base + alpha * regression by {gap:.4f}")
    return {
        "applied": alpha > 0,
        "C": c,
        "alpha": alpha,
        "validation_accuracy": {"model": round(base_acc, 4), "regression": round(regression_acc, 4), "combined": round(acc, 4)},
    }
