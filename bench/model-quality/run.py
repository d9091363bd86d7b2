"""Model-quality benchmark: `npm run bench:model-quality -- --data FILE [options]`.

On fixed stratified splits of a labelled file (80 % train, 10 % validation, 10 %
held out), compare:
  * ours, as `npm run train -- --data FILE` builds it with no other flag (the
    settings the data chooses, see training/defaults.py);
  * the word+char peer: TF-IDF word 1-2 + char 2-5 grams + logistic regression;
  * the char peer: TF-IDF character 1-3 grams + logistic regression (suits
    unspaced scripts);
  * optional extra variants of ours (--variant NAME=ARGS).
Every system learns from the same training rows, may use the same validation rows
for its choices (ours: the epoch, the temperature, the thresholds; the peers: their
C) and is scored on the same held-out rows: accuracy, macro-F1, ECE, and when the
data has out-of-scope rows, out-of-scope recall and the share of in-scope questions
handed off (both systems' thresholds chosen by the same rule on validation).
Several splits (--seeds 13,14,15) print a table each and the mean over them, since
one split moves by about half a point with the seed. --json FILE keeps the rows.
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
from training.peer import fit_peer, peer_vocabulary_size  # noqa: E402
from training.pipeline import run as train_run  # noqa: E402
from training.train import TARGET_FALSE_REJECTION, ece, f1_per_class, false_rejection_threshold, out_of_scope_figures  # noqa: E402

DEFAULT_DATA = os.environ.get("BANKING77_TRAIN", os.path.join(os.path.dirname(REPO), "shared", "datasets", "banking77", "train.csv"))

# C of a peer's logistic regression is chosen on the validation rows, as our
# models choose their epoch there: this grid, extended (x3 or /3) while the best C
# is at its edge, within PEER_C_RANGE. Ties go to the C tried first.
PEER_C_GRID = (10.0, 30.0, 100.0, 300.0)
PEER_C_RANGE = (0.1, 30000.0)
PEERS = {"word+char": "peer: TF-IDF word+char + LR", "char": "peer: TF-IDF char 1-3 + LR"}
OURS_DEFAULT = "ours, default command"


def peer_row(features, texts, labels, seed, val_frac, test_frac):
    """The peer on the same training rows as ours, C chosen on the validation rows;
    its out-of-scope threshold by the same in-scope false-rejection rule as ours."""
    classes = sorted(set(labels))
    y = np.array([classes.index(l) for l in labels])
    train, val, test = D.train_val_test_split(labels, val_frac, test_frac, seed)
    oos = D.oos_label(labels)
    oos_index = classes.index(oos) if oos else None

    def pick(idx):
        return [texts[i] for i in idx]

    t0 = time.time()
    best = None
    grid, tried = list(PEER_C_GRID), []
    while grid:
        c = grid.pop(0)
        clf = fit_peer(pick(train), y[train], seed, C=c, features=features)
        acc = float((clf.predict(pick(val)) == y[val]).mean())
        sys.stderr.write(f"{PEERS[features]}: C={c:g} validation accuracy {acc:.2%}\n")
        if best is None or acc > best[0]:
            best = (acc, c, clf)
        tried.append(c)
        if not grid and best[1] == max(tried) and max(tried) * 3 <= PEER_C_RANGE[1]:
            grid.append(max(tried) * 3)
        elif not grid and best[1] == min(tried) and min(tried) / 3 >= PEER_C_RANGE[0]:
            grid.append(min(tried) / 3)
    _, c, clf = best

    def probs(idx):
        full = np.zeros((len(idx), len(classes)))
        full[:, clf.classes_] = clf.predict_proba(pick(idx))
        return full

    p_test = probs(test)
    pred = p_test.argmax(1)
    present = sorted(set(y[test].tolist()))
    row = {
        "system": PEERS[features],
        "accuracy": round(float((pred == y[test]).mean()), 4),
        "macro_f1": round(float(f1_per_class(pred, y[test], len(classes))[present].mean()), 4),
        "ece": round(ece(p_test, y[test]), 4),
        "params": peer_vocabulary_size(clf) * len(classes),
        "bytes": None,
        "seconds": round(time.time() - t0, 1),
        "n_test": len(test),
        "C": c,
    }
    threshold = false_rejection_threshold(probs(val), y[val], oos_index, TARGET_FALSE_REJECTION)
    row.update({k: v for k, v in out_of_scope_figures(p_test, y[test], oos_index, threshold).items() if k in ("in_scope_false_rejection", "oos_recall")})
    return row


def ours_row(name, data, extra, seed, val_frac, test_frac, args_str):
    with tempfile.TemporaryDirectory() as out:
        argv = ["--data", data, "--out", out, "--seed", str(seed), "--val-frac", str(val_frac), "--test-frac", str(test_frac), "--skip-parity", "--no-quantized"]
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
        "ece": m["ece_after_calibration"],
        "ece_before": m["ece_before_calibration"],
        "temperature": card["temperature"],
        "in_scope_false_rejection": m.get("in_scope_false_rejection"),
        "oos_recall": m.get("oos_recall"),
        "params": card["training"]["parameters"],
        "bytes": size,
        "seconds": card["training"]["seconds"],
        "best_epoch": card["training"]["best_epoch"],
        "n_test": m["n"],
        "settings": {k: v["value"] for k, v in card["training"]["settings"].items()},
    }


def pct(v):
    return "" if v is None else f"{v:.2%}"


def table(rows):
    head = f"{'system':40} {'accuracy':>9} {'macro-F1':>9} {'ECE':>7} {'OOS rec.':>9} {'in-sc. rej.':>11} {'params':>9} {'ONNX MB':>8} {'train s':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        mb = "" if r.get("bytes") is None else f"{r['bytes'] / 1e6:.2f}"
        name = r["system"] + (f" (C={r['C']:g})" if "C" in r else "")
        lines.append(
            f"{name[:40]:40} {r['accuracy']:9.2%} {r['macro_f1']:9.2%} {r['ece']:7.4f} {pct(r.get('oos_recall')):>9} "
            f"{pct(r.get('in_scope_false_rejection')):>11} {r['params']:9d} {mb:>8} {r['seconds']:8.0f}"
        )
    return "\n".join(lines)


def mean_table(splits):
    """Per system over the splits: mean accuracy and its range, mean macro-F1, ECE
    and out-of-scope figures, and on how many splits it beats each peer."""
    names = list(dict.fromkeys(r["system"] for sp in splits for r in sp["rows"]))
    head = f"{'system':40} {'mean acc.':>9} {'min':>7} {'max':>7} {'mean F1':>8} {'ECE':>7} {'OOS rec.':>9} {'in-sc. rej.':>11} {'beats word+char':>15} {'beats char':>10}"
    lines = [head, "-" * len(head)]

    def mean(rows, key):
        vals = [r.get(key) for r in rows]
        return None if any(v is None for v in vals) else float(np.mean(vals))

    for name in names:
        pairs = [(sp, r) for sp in splits for r in sp["rows"] if r["system"] == name]
        rows = [r for _, r in pairs]
        acc = [r["accuracy"] for r in rows]
        beats = []
        for peer in PEERS.values():
            wins = [r["accuracy"] > sp["peers"][peer] for sp, r in pairs if peer in sp["peers"]]
            beats.append(f"{sum(wins)}/{len(wins)}" if wins and name not in PEERS.values() else "")
        lines.append(
            f"{name[:40]:40} {np.mean(acc):9.2%} {min(acc):7.2%} {max(acc):7.2%} {mean(rows, 'macro_f1'):8.2%} {mean(rows, 'ece'):7.4f} "
            f"{pct(mean(rows, 'oos_recall')):>9} {pct(mean(rows, 'in_scope_false_rejection')):>11} {beats[0]:>15} {beats[1]:>10}"
        )
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(prog="npm run bench:model-quality --")
    p.add_argument("--data", default=DEFAULT_DATA, help="labelled CSV or JSONL (default: Banking77's train.csv, or BANKING77_TRAIN)")
    p.add_argument("--extra", nargs="*", default=[], help="more labelled files, e.g. out-of-scope examples (split like the rest)")
    p.add_argument("--seeds", "--seed", default="13", help="split seed(s), comma-separated (e.g. 13,14,15): a table per split, and the mean over them")
    p.add_argument("--val-frac", type=float, default=0.1)
    p.add_argument("--test-frac", type=float, default=0.1)
    p.add_argument("--args", default="", help="extra training arguments for every variant of ours (e.g. to shorten a run)")
    p.add_argument("--variant", action="append", default=[], help='NAME=ARGS, an extra variant of ours, e.g. "distilled=--distill 0.5"')
    p.add_argument("--skip-peer", action="store_true", help="no peers")
    p.add_argument("--skip-defaults", action="store_true", help="not ours with the default command, only the peers and the --variant entries")
    p.add_argument("--json", help="write the rows as JSON here")
    a = p.parse_args()
    try:
        seeds = [int(x) for x in a.seeds.split(",") if x.strip()]
    except ValueError:
        p.error(f"--seeds: expected comma-separated integers, got {a.seeds!r}")
    for f in [a.data] + a.extra:
        if not os.path.exists(f):
            sys.stderr.write(f"error: {f} not found; pass --data (or set BANKING77_TRAIN).\n")
            return 1
    texts, labels = D.read_many([a.data] + a.extra)
    variants = [] if a.skip_defaults else [(OURS_DEFAULT, a.args)]
    for v in a.variant:
        name, _, extra_args = v.partition("=")
        variants.append((f"ours, {name}", a.args + " " + extra_args))
    splits = []
    files = " + ".join(os.path.basename(f) for f in [a.data] + a.extra)
    for seed in seeds:
        sys.stderr.write(f"bench: {len(texts)} rows, {len(set(labels))} intents, held-out share {a.test_frac}, split seed {seed}\n")
        rows = []
        if not a.skip_peer:
            for features in PEERS:
                rows.append(peer_row(features, texts, labels, seed, a.val_frac, a.test_frac))
                sys.stderr.write(table(rows) + "\n")
        for name, args_str in variants:
            rows.append(ours_row(name, a.data, a.extra, seed, a.val_frac, a.test_frac, args_str))
            sys.stderr.write(table(rows) + "\n")
        splits.append({"seed": seed, "rows": rows, "peers": {r["system"]: r["accuracy"] for r in rows if r["system"] in PEERS.values()}})
        print(f"Split seed {seed}: {rows[0]['n_test']} held-out rows, a stratified {a.test_frac:.0%} of {files}.")
        print(table(rows) + "\n")
    if len(splits) > 1:
        print(f"Mean over {len(splits)} splits (seeds {', '.join(map(str, seeds))}):")
        print(mean_table(splits))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"val_frac": a.val_frac, "test_frac": a.test_frac, "data": files, "splits": splits}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
