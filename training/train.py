"""Training loop, calibration, thresholds and metrics."""
from __future__ import annotations

import copy
import math
import random
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .model import IntentEncoder, ModelConfig
from .progress import Progress, info


@dataclass
class TrainConfig:
    max_epochs: int = 40
    patience: int = 8
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 0.01
    warmup_frac: float = 0.06
    label_smoothing: float = 0.1
    token_dropout: float = 0.1  # share of word pieces replaced by [MASK] while training
    embedding_lr_scale: float = 0.3  # pretrained vectors move slower than the rest
    wide_lr_scale: float = 1.0  # learning rate of the wide path's n-gram tables, relative to lr
    freeze_embeddings_epochs: int = 0
    distill_weight: float = 0.0  # weight of the teacher's soft targets, 0 = off
    distill_temperature: float = 2.0
    # Average the weights of the last N epochs (Izmailov et al. 2018, with the decaying
    # schedule); kept instead of the best epoch only if validation accuracy is at least as good.
    average_last: int = 0
    seed: int = 13

    def to_dict(self) -> dict:
        return asdict(self)


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pad_batch(seqs: Sequence[Sequence[int]], pad_id: int = 0) -> Tuple[torch.Tensor, torch.Tensor]:
    t = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), t), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), t), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, : len(s)] = 1
    return ids, mask


BUCKET_POOL = 50


def steps_per_epoch(n: int, batch_size: int, pool: int = BUCKET_POOL) -> int:
    """Optimiser steps in one epoch of `length_buckets` over n sequences."""
    span = batch_size * pool
    return sum(math.ceil(min(span, n - s) / batch_size) for s in range(0, n, span))


def length_buckets(seqs: Sequence[Sequence[int]], batch_size: int, rng: np.random.Generator, pool: int = BUCKET_POOL) -> List[np.ndarray]:
    """Random batches of similar length (shuffle, sort within pools of
    `pool` batches, shuffle the batches): same data per epoch, far less padding."""
    perm = rng.permutation(len(seqs))
    batches = []
    span = batch_size * pool
    for s in range(0, len(perm), span):
        chunk = sorted(perm[s : s + span], key=lambda i: len(seqs[i]))
        batches += [np.array(chunk[b : b + batch_size]) for b in range(0, len(chunk), batch_size)]
    order = rng.permutation(len(batches))
    return [batches[i] for i in order]


@torch.no_grad()
def predict_logits(model: IntentEncoder, seqs: Sequence[Sequence[int]], batch_size: int = 256) -> np.ndarray:
    model.eval()
    out = []
    # Length-sorted batches: same results, less padding.
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    logits = np.zeros((len(seqs), model.cfg.num_labels), dtype=np.float32)
    for s in range(0, len(order), batch_size):
        idx = order[s : s + batch_size]
        ids, mask = pad_batch([seqs[i] for i in idx])
        lg, _, _ = model(ids, mask)
        logits[idx] = lg.numpy()
    return logits


@torch.no_grad()
def sentence_embeddings(model: IntentEncoder, seqs: Sequence[Sequence[int]], batch_size: int = 256) -> np.ndarray:
    model.eval()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    emb = np.zeros((len(seqs), model.cfg.hidden_size), dtype=np.float32)
    for s in range(0, len(order), batch_size):
        idx = order[s : s + batch_size]
        ids, mask = pad_batch([seqs[i] for i in idx])
        _, pooled, _ = model(ids, mask)
        emb[idx] = pooled.numpy()
    return emb


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit(
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    train_seqs: List[List[int]],
    train_y: np.ndarray,
    val_seqs: List[List[int]],
    val_y: np.ndarray,
    init_embeddings: Optional[np.ndarray] = None,
    teacher_probs: Optional[np.ndarray] = None,
    mask_id: int = 4,
    special_ids: Sequence[int] = (0, 1, 2, 3, 4),
    label: str = "train",
    quiet: bool = False,
    progress: Optional[Progress] = None,
) -> Tuple[IntentEncoder, dict]:
    """Train with AdamW + warmup/linear decay, keep the weights of the epoch with
    the best validation accuracy (ties: lower loss), stop after `patience`
    epochs without improvement. `progress` is a bar shared by several fits (its
    total covers them all); without one, a bar for this fit alone is drawn."""
    set_seed(train_cfg.seed)
    model = IntentEncoder(model_cfg)
    if init_embeddings is not None:
        with torch.no_grad():
            model.tok_emb.weight.copy_(torch.from_numpy(init_embeddings))
    emb_params = [model.tok_emb.weight]
    # The wide tables get a group of their own only when their rate differs, so the
    # default optimiser is exactly the one the published figures were trained with.
    own_wide = train_cfg.wide_lr_scale != 1.0
    wide = [p for n, p in model.named_parameters() if own_wide and n.startswith("wide_")]
    other = [p for n, p in model.named_parameters() if n != "tok_emb.weight" and not (own_wide and n.startswith("wide_"))]
    decay = [p for p in other if p.dim() > 1]
    no_decay = [p for p in other if p.dim() <= 1]
    groups = [
        {"params": emb_params, "lr": train_cfg.lr * train_cfg.embedding_lr_scale, "weight_decay": 0.0, "base": train_cfg.embedding_lr_scale},
        {"params": decay, "lr": train_cfg.lr, "weight_decay": train_cfg.weight_decay, "base": 1.0},
        {"params": no_decay, "lr": train_cfg.lr, "weight_decay": 0.0, "base": 1.0},
    ]
    if wide:
        groups.append({"params": wide, "lr": train_cfg.lr * train_cfg.wide_lr_scale, "weight_decay": train_cfg.weight_decay, "base": train_cfg.wide_lr_scale})
    opt = torch.optim.AdamW(groups)
    n = len(train_seqs)
    total_steps = steps_per_epoch(n, train_cfg.batch_size) * train_cfg.max_epochs
    warmup = max(1, int(total_steps * train_cfg.warmup_frac))
    rng = np.random.default_rng(train_cfg.seed)
    special = torch.tensor(sorted(set(special_ids)))
    y_all = torch.from_numpy(train_y.astype(np.int64))
    teacher = torch.from_numpy(teacher_probs.astype(np.float32)) if teacher_probs is not None else None

    best = {"acc": -1.0, "loss": float("inf"), "epoch": -1, "state": None}
    averaged: dict = {}
    averaged_n = 0
    history = []
    bar = None if quiet else progress or Progress(total_steps, label)
    step = 0
    for epoch in range(train_cfg.max_epochs):
        model.train()
        model.tok_emb.weight.requires_grad_(epoch >= train_cfg.freeze_embeddings_epochs)
        total_loss = 0.0
        for idx in length_buckets(train_seqs, train_cfg.batch_size, rng):
            ids, mask = pad_batch([train_seqs[i] for i in idx])
            if train_cfg.token_dropout > 0:
                drop = (torch.rand(ids.shape) < train_cfg.token_dropout) & (mask == 1) & ~torch.isin(ids, special)
                ids = ids.masked_fill(drop, mask_id)
            lr_scale = min(1.0, (step + 1) / warmup) * max(0.0, (total_steps - step) / max(1, total_steps - warmup))
            for g in opt.param_groups:
                g["lr"] = train_cfg.lr * g["base"] * min(1.0, lr_scale)
            logits, _, _ = model(ids, mask)
            y = y_all[idx]
            loss = F.cross_entropy(logits, y, label_smoothing=train_cfg.label_smoothing)
            if teacher is not None and train_cfg.distill_weight > 0:
                T = train_cfg.distill_temperature
                soft = teacher[idx]
                kd = F.kl_div(F.log_softmax(logits / T, dim=-1), soft, reduction="batchmean") * T * T
                loss = (1 - train_cfg.distill_weight) * loss + train_cfg.distill_weight * kd
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total_loss += float(loss) * len(idx)
            step += 1
            if bar:
                bar.update(1, f"{label} epoch {epoch + 1}/{train_cfg.max_epochs}")
        val_logits = predict_logits(model, val_seqs)
        val_loss = float(F.cross_entropy(torch.from_numpy(val_logits), torch.from_numpy(val_y.astype(np.int64))))
        val_acc = float((val_logits.argmax(1) == val_y).mean())
        history.append({"epoch": epoch + 1, "train_loss": round(total_loss / n, 4), "val_loss": round(val_loss, 4), "val_acc": round(val_acc, 4)})
        if bar:
            bar.log(f"{label}: epoch {epoch + 1} train loss {total_loss / n:.4f} val loss {val_loss:.4f} val acc {val_acc:.4f}")
        if train_cfg.average_last > 0 and epoch >= train_cfg.max_epochs - train_cfg.average_last:
            averaged_n += 1
            for name, value in model.state_dict().items():
                if not value.is_floating_point():
                    averaged[name] = value.clone()
                elif name not in averaged:
                    averaged[name] = value.detach().clone()
                else:
                    averaged[name] += (value.detach() - averaged[name]) / averaged_n
        if val_acc > best["acc"] or (val_acc == best["acc"] and val_loss < best["loss"]):
            best = {"acc": val_acc, "loss": val_loss, "epoch": epoch + 1, "state": copy.deepcopy(model.state_dict())}
        elif epoch + 1 - best["epoch"] >= train_cfg.patience:
            if bar:
                bar.log(f"{label}: early stop at epoch {epoch + 1}, best epoch {best['epoch']} (val acc {best['acc']:.4f})")
                bar.skip(total_steps - step)
            break
    averaged_info = None
    if averaged_n > 1:
        model.load_state_dict(averaged)
        model.eval()
        avg_acc = float((predict_logits(model, val_seqs).argmax(1) == val_y).mean())
        averaged_info = {"epochs": averaged_n, "val_acc": round(avg_acc, 4), "kept": avg_acc >= best["acc"]}
        if bar:
            bar.log(f"{label}: weights averaged over the last {averaged_n} epochs: val acc {avg_acc:.4f} (best epoch {best['acc']:.4f}) -> {'kept' if avg_acc >= best['acc'] else 'best epoch kept'}")
    if averaged_info is None or not averaged_info["kept"]:
        model.load_state_dict(best["state"])
    model.eval()
    return model, {"best_epoch": best["epoch"], "best_val_acc": round(best["acc"], 4), "epochs_run": len(history), "averaged": averaged_info, "history": history}


# ---- calibration ---------------------------------------------------------

def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature scaling (Guo et al. 2017): one scalar T minimising validation NLL."""
    lg = torch.from_numpy(logits.astype(np.float64))
    yt = torch.from_numpy(y.astype(np.int64))
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(lg / log_t.exp(), yt)
        loss.backward()
        return loss

    opt.step(closure)
    t = float(log_t.exp())
    return float(min(max(t, 0.05), 20.0))


def ece(probs: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error of the top-1 confidence, equal-width bins."""
    conf = probs.max(1)
    correct = (probs.argmax(1) == y).astype(np.float64)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            total += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(total)


def nll(probs: np.ndarray, y: np.ndarray) -> float:
    return float(-np.log(probs[np.arange(len(y)), y] + 1e-12).mean())


# Below this many validation rows, or fewer rows per intent on average, the
# temperature, the thresholds and the kept epoch rest on too little evidence.
SMALL_VALIDATION_ROWS = 200
SMALL_VALIDATION_PER_INTENT = 3
CALIBRATION_FOLDS = 5


def validation_warning(n_rows: int, n_intents: int) -> Optional[str]:
    if n_rows < SMALL_VALIDATION_ROWS or n_rows < SMALL_VALIDATION_PER_INTENT * n_intents:
        return (
            f"validation is small ({n_rows} rows for {n_intents} intents; trusted from {SMALL_VALIDATION_ROWS} rows and "
            f"{SMALL_VALIDATION_PER_INTENT} per intent): the temperature, the thresholds and the kept epoch rest on few examples"
        )
    return None


def calibrate(logits: np.ndarray, y: np.ndarray, n_intents: int, folds: int = CALIBRATION_FOLDS, seed: int = 0) -> dict:
    """Temperature scaling that never makes things worse.

    The temperature fitted on all validation rows always lowers their NLL, so that
    cannot be the test. Instead each of `folds` parts of the validation rows is
    scaled by a temperature fitted on the other parts, and the temperature is kept
    only if these cross-fitted probabilities have a lower NLL than the raw ones and
    an ECE no higher; otherwise the temperature is 1.0 (the raw softmax).
    """
    n = len(y)
    raw = softmax(logits)
    result = {
        "fitted_temperature": None,
        "temperature": 1.0,
        "kept": False,
        "validation": {"n": int(n), "nll_raw": round(nll(raw, y), 4) if n else None, "ece_raw": round(ece(raw, y), 4) if n else None},
        "note": validation_warning(n, n_intents),
    }
    folds = min(folds, n // 2)
    if folds < 2:
        result["reason"] = f"not fitted: {n} validation rows are too few to check a temperature"
        return result
    t_all = fit_temperature(logits, y)
    order = np.random.default_rng(seed).permutation(n)
    fold = np.empty(n, dtype=np.int64)
    fold[order] = np.arange(n) % folds
    crossed = np.zeros_like(raw)
    for k in range(folds):
        rest, part = fold != k, fold == k
        crossed[part] = softmax(logits[part], fit_temperature(logits[rest], y[rest]))
    nll_raw, nll_crossed = nll(raw, y), nll(crossed, y)
    ece_raw, ece_crossed = ece(raw, y), ece(crossed, y)
    kept = nll_crossed < nll_raw and ece_crossed <= ece_raw
    result.update({
        "fitted_temperature": round(t_all, 5),
        "temperature": round(t_all, 5) if kept else 1.0,
        "kept": bool(kept),
        "validation": {
            "n": int(n),
            "folds": folds,
            "nll_raw": round(nll_raw, 4),
            "nll_cross_fitted": round(nll_crossed, 4),
            "ece_raw": round(ece_raw, 4),
            "ece_cross_fitted": round(ece_crossed, 4),
        },
    })
    if kept:
        result["reason"] = f"kept: on validation rows it was not fitted on, NLL {nll_raw:.4f} -> {nll_crossed:.4f} and ECE {ece_raw:.4f} -> {ece_crossed:.4f}"
    else:
        worse = [f"NLL {nll_raw:.4f} -> {nll_crossed:.4f}" if nll_crossed >= nll_raw else None, f"ECE {ece_raw:.4f} -> {ece_crossed:.4f}" if ece_crossed > ece_raw else None]
        result["reason"] = "dropped (temperature 1.0): on validation rows it was not fitted on it does not help: " + ", ".join(w for w in worse if w)
    return result


# ---- metrics -------------------------------------------------------------

def f1_per_class(pred: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    f1 = np.zeros(n)
    for c in range(n):
        tp = np.sum((pred == c) & (y == c))
        fp = np.sum((pred == c) & (y != c))
        fn = np.sum((pred != c) & (y == c))
        f1[c] = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return f1


def classification_report(probs: np.ndarray, y: np.ndarray, labels: Sequence[str], top_confusions: int = 10) -> dict:
    pred = probs.argmax(1)
    present = sorted(set(y.tolist()))
    f1 = f1_per_class(pred, y, len(labels))
    conf: Dict[Tuple[int, int], int] = {}
    for p, t in zip(pred, y):
        if p != t:
            conf[(int(t), int(p))] = conf.get((int(t), int(p)), 0) + 1
    worst = sorted(conf.items(), key=lambda kv: (-kv[1], kv[0]))[:top_confusions]
    return {
        "n": int(len(y)),
        "accuracy": round(float((pred == y).mean()), 4),
        "macro_f1": round(float(f1[present].mean()), 4),
        "per_intent_f1": {labels[c]: round(float(f1[c]), 4) for c in present},
        "top_confusions": [{"true": labels[t], "predicted": labels[p], "count": c} for (t, p), c in worst],
    }


# ---- decision thresholds -------------------------------------------------

# Utilities used to pick the thresholds on validation data: a right answer is
# worth 1, a wrong one costs 2 (a confident wrong answer is worse than asking),
# a clarifying question offering the right intent among the top two is worth 0.5.
UTILITY = {"correct": 1.0, "wrong": -2.0, "clarify_hit": 0.5, "clarify_miss": -0.5, "oos_right": 1.0, "oos_wrong": -1.0}


# Share of in-scope validation questions the out-of-scope threshold may hand off
# (with those the out-of-scope class takes). In-scope validation rows are
# plentiful, so this holds on new data within sampling noise, unlike a threshold
# tuned on the handful of out-of-scope rows a validation split gets.
TARGET_FALSE_REJECTION = 0.03


def in_scope_top2(probs: np.ndarray, oos_index: Optional[int]) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(top1, top2, p1, p2): the two most probable in-scope intents and their probabilities."""
    n, c = probs.shape
    p_in = probs.copy()
    if oos_index is not None:
        p_in[:, oos_index] = -1.0
    order = np.argsort(-p_in, axis=1)
    top1, top2 = order[:, 0], order[:, min(1, c - 1)]
    return top1, top2, p_in[np.arange(n), top1], p_in[np.arange(n), top2]


# At most this many intents are offered in a clarifying question (lib/bot/policy.ts).
MAX_CLARIFY_OPTIONS = 3


def clarify_mass(probs: np.ndarray, oos_index: Optional[int], margin: float) -> np.ndarray:
    """Per row, the summed probability of the intents a clarifying question would offer:
    the in-scope intents within `margin` of the best one, at most MAX_CLARIFY_OPTIONS;
    0 where fewer than two are that close (no question to ask)."""
    p_in = probs.copy()
    if oos_index is not None:
        p_in[:, oos_index] = -1.0
    top = -np.sort(-p_in, axis=1)[:, :MAX_CLARIFY_OPTIONS]
    close = (top[:, :1] - top) < margin
    mass = np.where(close, top, 0.0).sum(axis=1)
    return np.where(close.sum(axis=1) >= 2, mass, 0.0)


def says_out_of_scope(probs: np.ndarray, oos_index: Optional[int], threshold: float, margin: Optional[float] = None) -> np.ndarray:
    """The policy's out-of-scope decision: the top class is the out-of-scope class,
    or the best in-scope probability is below the threshold, unless (with a
    clarifying `margin`) the close intents together reach it: a message split
    between close intents is in scope, only ambiguous, and gets a question."""
    _, _, p1, _ = in_scope_top2(probs, oos_index)
    by_class = (probs.argmax(1) == oos_index) if oos_index is not None else np.zeros(len(probs), dtype=bool)
    unsure = p1 < threshold
    if margin is not None:
        unsure &= clarify_mass(probs, oos_index, margin) < threshold
    return by_class | unsure


def out_of_scope_figures(probs: np.ndarray, y: np.ndarray, oos_index: Optional[int], threshold: float, margin: Optional[float] = None) -> dict:
    """In-scope false rejection (share of in-scope rows handed off as out of scope)
    and, when there are out-of-scope rows, their recall and the decision's precision
    (with `margin`, under the whole policy: close intents get a question instead)."""
    dec = says_out_of_scope(probs, oos_index, threshold, margin)
    is_oos = (y == oos_index) if oos_index is not None else np.zeros(len(y), dtype=bool)
    out = {"in_scope_false_rejection": round(float(dec[~is_oos].mean()), 4) if (~is_oos).any() else None}
    if is_oos.any():
        out["oos_recall"] = round(float((dec & is_oos).sum() / is_oos.sum()), 4)
        out["oos_precision"] = round(float((dec & is_oos).sum() / max(1, dec.sum())), 4)
        if threshold > 0:
            # What the threshold alone catches (no out-of-scope class): data without one gets only this.
            _, _, p1, _ = in_scope_top2(probs, oos_index)
            out["oos_recall_threshold_only"] = round(float((p1 < threshold)[is_oos].mean()), 4)
    return out


def false_rejection_threshold(probs: np.ndarray, y: np.ndarray, oos_index: Optional[int], target: float) -> float:
    """The largest out-of-scope threshold (4 decimals) under which at most `target`
    of the in-scope rows are handed off, counting those the out-of-scope class
    already takes."""
    is_oos = (y == oos_index) if oos_index is not None else np.zeros(len(y), dtype=bool)
    _, _, p1, _ = in_scope_top2(probs, oos_index)
    by_class = (probs.argmax(1) == oos_index) if oos_index is not None else np.zeros(len(y), dtype=bool)
    n_in = int((~is_oos).sum())
    budget = int(math.floor(target * n_in + 1e-9)) - int((by_class & ~is_oos).sum())
    candidates = np.sort(p1[~is_oos & ~by_class])
    if budget <= 0 or len(candidates) == 0:
        return 0.0
    if budget >= len(candidates):
        return 1.0
    # Rows strictly below the threshold are handed off: the (budget+1)-th smallest
    # confidence lets exactly `budget` rows (fewer on ties) through; rounding down keeps that.
    return math.floor(float(candidates[budget]) * 1e4) / 1e4


def choose_thresholds(probs: np.ndarray, y: np.ndarray, oos_index: Optional[int], target_false_rejection: float = TARGET_FALSE_REJECTION) -> dict:
    """Pick (out_of_scope, ambiguity_margin) on calibrated validation probabilities.

    Policy: let p1 >= p2 be the two highest in-scope probabilities. If the model's
    top class is the out-of-scope class, or p1 < out_of_scope and the intents within
    ambiguity_margin of p1 together stay below it too -> hand off as out of scope;
    else if p1 - p2 < ambiguity_margin -> ask to clarify between the top intents;
    else answer. `out_of_scope` is the largest threshold that hands off at
    most `target_false_rejection` of the in-scope validation rows; the margin is then
    chosen by grid search maximising UTILITY.
    """
    n = len(y)
    top1, top2, p1, p2 = in_scope_top2(probs, oos_index)
    is_oos = (y == oos_index) if oos_index is not None else np.zeros(n, dtype=bool)
    t_oos = false_rejection_threshold(probs, y, oos_index, target_false_rejection)
    hit = (top1 == y) | (top2 == y)

    def utility(t_amb: float) -> float:
        # The threshold was set on p1 alone, so with the margin's questions at most the target is handed off.
        oos_dec = says_out_of_scope(probs, oos_index, t_oos, t_amb)
        clarify = ~oos_dec & (p1 - p2 < t_amb)
        answer = ~oos_dec & ~clarify
        u = UTILITY["oos_right"] * np.sum(oos_dec & is_oos) + UTILITY["oos_wrong"] * np.sum(oos_dec & ~is_oos)
        u += UTILITY["clarify_hit"] * np.sum(clarify & hit) + UTILITY["clarify_miss"] * np.sum(clarify & ~hit)
        u += UTILITY["correct"] * np.sum(answer & (top1 == y)) + UTILITY["wrong"] * np.sum(answer & (top1 != y))
        return float(u) / max(1, n)

    best = (-1e9, 0.0)
    for t_amb in np.round(np.arange(0.0, 0.51, 0.02), 2):
        u = utility(float(t_amb))
        if u > best[0] + 1e-12:
            best = (u, float(t_amb))
    t_amb = best[1]
    oos_dec = says_out_of_scope(probs, oos_index, t_oos, t_amb)
    clarify = ~oos_dec & (p1 - p2 < t_amb)
    answer = ~oos_dec & ~clarify
    n_in = int((~is_oos).sum())
    how = f"out_of_scope: the largest threshold handing off at most {target_false_rejection:.0%} of the {n_in} in-scope validation rows"
    if oos_index is not None:
        how += " (with those the out-of-scope class takes); the out-of-scope rows play no part in it"
    out = {
        "out_of_scope": t_oos,
        "ambiguity_margin": t_amb,
        "chosen_by": how + "; ambiguity_margin: grid search maximising validation utility",
        "target_false_rejection": target_false_rejection,
        "utility_weights": UTILITY,
        "validation": {
            "answer_rate": round(float(answer.mean()), 4),
            "answer_accuracy": round(float((top1[answer] == y[answer]).mean()) if answer.any() else 0.0, 4),
            "clarify_rate": round(float(clarify.mean()), 4),
            "out_of_scope_rate": round(float(oos_dec.mean()), 4),
            **out_of_scope_figures(probs, y, oos_index, t_oos, t_amb),
        },
    }
    return out
