"""Model-quality benchmark: `npm run bench:model-quality [-- options]`.

On ONE fixed stratified split of the training data (the official Banking77 test
split is not available here, so this is a held-out slice of train.csv), compare:
  * the peer: TF-IDF (word 1-2 + char 2-5 grams) + logistic regression;
  * our model as the training pipeline builds it (defaults of `npm run train`);
  * our model without the pretrained-vector initialisation;
  * the demo configuration: two of our models with the wide (word-piece +
    hashed-bigram linear) path, different seeds, same data, exported as one
    graph with float16 weights;
  * optional extra variants (--variant NAME=ARGS, e.g. "distill=--distill 0.5").
Our variants train on the same training rows, use the same validation rows for
early stopping, and are all scored on the same held-out rows. The peer trains on
training + validation rows (it needs no validation), which favours the peer.
Prints a table and writes the figures as JSON (--json FILE).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

from training import data as D  # noqa: E402
from training.peer import fit_peer  # noqa: E402
from training.pipeline import run as train_run  # noqa: E402
from training.train import f1_per_class  # noqa: E402

DEFAULT_DATA = os.environ.get("BANKING77_TRAIN", os.path.join(os.path.dirname(REPO), "shared", "datasets", "banking77", "train.csv"))


def peer_row(texts, labels, seed, test_frac):
    classes = sorted(set(labels))
    y = np.array([classes.index(l) for l in labels])
    rest, test = D.stratified_split(labels, test_frac, seed)
    t0 = time.time()
    clf = fit_peer([texts[i] for i in rest], y[rest], seed)
    pred = clf.predict([texts[i] for i in test])
    secs = time.time() - t0
    present = sorted(set(y[test].tolist()))
    return {
        "system": "TF-IDF word1-2+char2-5 + LR (peer)",
        "accuracy": round(float((pred == y[test]).mean()), 4),
        "macro_f1": round(float(f1_per_class(pred, y[test], len(classes))[present].mean()), 4),
        "ece_after": None,
        "params": int(sum(len(v.vocabulary_) for _, v in clf.steps[0][1].transformer_list) * len(classes)),
        "bytes": None,
        "seconds": round(secs, 1),
        "n_test": len(test),
    }


def ours_row(name, data, extra, seed, test_frac, args_str):
    with tempfile.TemporaryDirectory() as out:
        argv = ["--data", data, "--out", out, "--seed", str(seed), "--test-frac", str(test_frac), "--skip-parity", "--no-quantized"]
        argv += [a for f in extra for a in ("--extra", f)]
        argv += shlex.split(args_str)
        card = train_run(argv)
        size = os.path.getsize(os.path.join(out, "onnx", "model.onnx"))
    m = card["metrics"]
    return {
        "system": name,
        "args": args_str,
        "accuracy": m["accuracy"],
        "macro_f1": m["macro_f1"],
        "ece_before": m["ece_before_calibration"],
        "ece_after": m["ece_after_calibration"],
        "params": card["training"]["parameters"],
        "bytes": size,
        "seconds": card["training"]["seconds"],
        "best_epoch": card["training"]["best_epoch"],
        "n_test": m["n"],
        "coverage": card["training"]["pretrained_vectors"],
    }


def table(rows):
    head = f"{'system':44} {'accuracy':>9} {'macro-F1':>9} {'ECE cal.':>9} {'params':>9} {'ONNX MB':>8} {'train s':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        ece = "" if r.get("ece_after") is None else f"{r['ece_after']:.4f}"
        mb = "" if r.get("bytes") is None else f"{r['bytes'] / 1e6:.2f}"
        lines.append(f"{r['system'][:44]:44} {r['accuracy']:9.2%} {r['macro_f1']:9.2%} {ece:>9} {r['params']:9d} {mb:>8} {r['seconds']:8.0f}")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(prog="npm run bench:model-quality --")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--extra", nargs="*", default=[])
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--test-frac", type=float, default=0.1)
    p.add_argument("--args", default="", help="extra training arguments for every variant of ours (e.g. to shorten a run)")
    p.add_argument("--variant", action="append", default=[], help='NAME=ARGS, an extra variant of ours, e.g. "distilled=--distill 0.5"')
    p.add_argument("--skip-peer", action="store_true")
    p.add_argument("--skip-defaults", action="store_true", help="run only the peer and the --variant entries")
    p.add_argument("--json", help="write the rows as JSON here")
    a = p.parse_args()
    if not os.path.exists(a.data):
        sys.stderr.write(f"error: {a.data} not found; pass --data or set BANKING77_TRAIN.\n")
        return 1
    texts, labels = D.read_many([a.data] + a.extra)
    sys.stderr.write(f"bench: {len(texts)} rows, {len(set(labels))} intents, held-out share {a.test_frac}, seed {a.seed}\n")
    rows = []
    if not a.skip_peer:
        rows.append(peer_row(texts, labels, a.seed, a.test_frac))
        sys.stderr.write(table(rows) + "\n")
    variants = [] if a.skip_defaults else [
        ("ours (pretrained vectors)", a.args),
        ("ours, random init (no pretrained vectors)", a.args + " --no-pretrained"),
        ("ours + wide path, 2-model ensemble, fp16 (demo config)", a.args + " --epochs 45 --patience 45 --wide-buckets 2048 --members 2 --fp16"),
    ]
    for v in a.variant:
        name, _, extra_args = v.partition("=")
        variants.append((f"ours, {name}", a.args + " " + extra_args))
    for name, args_str in variants:
        rows.append(ours_row(name, a.data, a.extra, a.seed, a.test_frac, args_str))
        sys.stderr.write(table(rows) + "\n")
    print(table(rows))
    print(f"\nHeld-out: {rows[0]['n_test']} rows, a stratified {a.test_frac:.0%} of {os.path.basename(a.data)} (seed {a.seed}); not the official Banking77 test split.")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"seed": a.seed, "test_frac": a.test_frac, "data": os.path.basename(a.data), "rows": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
