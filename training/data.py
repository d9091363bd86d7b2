"""Reading labelled utterances (CSV or JSONL) and splitting them reproducibly."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
from typing import Dict, List, Sequence, Tuple

TEXT_COLUMN = "text"
LABEL_COLUMNS = ("intent", "category", "label")
OOS_LABELS = ("oos", "out_of_scope")


class DataError(Exception):
    """A problem with an input file, phrased as one sentence for the user."""


def file_sha256(paths: Sequence[str]) -> str:
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def _decode(path: str) -> str:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found.") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not valid UTF-8 (bad byte at offset {e.start}); save the file as UTF-8.") from None


def _undo_formula_guard(cell: str) -> str:
    """CSV exports put an apostrophe before a cell that a spreadsheet would run as a formula
    (`=`, `+`, `-`, `@`, tab, CR); the text as typed is the cell without it."""
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r" else cell


def read_examples(path: str) -> Tuple[List[str], List[str]]:
    """Return (texts, labels). Accepts CSV with a `text` column and an `intent`
    (or `category`/`label`) column, or JSONL with the same keys."""
    content = _decode(path)
    if not content.strip():
        raise DataError(f"{path}: the file is empty.")
    texts: List[str] = []
    labels: List[str] = []
    if path.endswith(".jsonl") or path.endswith(".ndjson"):
        for n, line in enumerate(content.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise DataError(f"{path}: line {n} is not valid JSON.") from None
            if not isinstance(row, dict) or TEXT_COLUMN not in row:
                raise DataError(f'{path}: line {n} has no "text" field.')
            key = next((k for k in LABEL_COLUMNS if k in row), None)
            if key is None:
                raise DataError(f'{path}: line {n} has no "intent" field.')
            texts.append(str(row[TEXT_COLUMN]))
            labels.append(str(row[key]).strip())
    else:
        reader = csv.DictReader(io.StringIO(content))
        fields = [f.strip() for f in (reader.fieldnames or [])]
        reader.fieldnames = fields
        if TEXT_COLUMN not in fields:
            raise DataError(f'{path}: missing column "text" (found: {", ".join(fields) or "none"}).')
        key = next((k for k in LABEL_COLUMNS if k in fields), None)
        if key is None:
            raise DataError(f'{path}: missing column "intent" (or "category"); found: {", ".join(fields)}.')
        for row in reader:
            text = row.get(TEXT_COLUMN)
            label = row.get(key)
            if text is None or label is None:
                continue
            texts.append(_undo_formula_guard(text))
            labels.append(_undo_formula_guard(label.strip()))
    keep = [i for i, (t, l) in enumerate(zip(texts, labels)) if t.strip() and l]
    texts = [texts[i] for i in keep]
    labels = [labels[i] for i in keep]
    if not texts:
        raise DataError(f"{path}: no labelled rows (need non-empty text and intent).")
    return texts, labels


def read_many(paths: Sequence[str]) -> Tuple[List[str], List[str]]:
    texts: List[str] = []
    labels: List[str] = []
    for p in paths:
        t, l = read_examples(p)
        texts += t
        labels += l
    if len(set(labels)) < 2:
        raise DataError(f"{', '.join(paths)}: only one intent ({labels[0]}); need at least two to train a classifier.")
    return texts, labels


def oos_label(labels: Sequence[str]) -> str | None:
    present = set(labels)
    return next((l for l in OOS_LABELS if l in present), None)


def stratified_split(labels: Sequence[str], fraction: float, seed: int) -> Tuple[List[int], List[int]]:
    """Indices (rest, held) with about `fraction` of every class held out; classes
    with a single example stay in `rest`."""
    rng = random.Random(seed)
    by_label: Dict[str, List[int]] = {}
    for i, l in enumerate(labels):
        by_label.setdefault(l, []).append(i)
    rest: List[int] = []
    held: List[int] = []
    for l in sorted(by_label):
        idx = by_label[l][:]
        rng.shuffle(idx)
        k = int(round(len(idx) * fraction)) if len(idx) > 1 else 0
        if fraction > 0 and len(idx) > 1:
            k = max(1, min(k, len(idx) - 1))
        held += idx[:k]
        rest += idx[k:]
    return sorted(rest), sorted(held)


def train_val_test_split(labels: Sequence[str], val_frac: float, test_frac: float, seed: int) -> Tuple[List[int], List[int], List[int]]:
    """Indices (train, validation, test): `test_frac` of every class held out with
    `seed`, then `val_frac` of all rows taken from the rest with `seed + 1`. The
    training pipeline and the model-quality benchmark both split this way, so the
    peer and our models see the same rows."""
    rest, test = stratified_split(labels, test_frac, seed) if test_frac > 0 else (list(range(len(labels))), [])
    tr_local, va_local = stratified_split([labels[i] for i in rest], val_frac / max(1e-9, 1 - test_frac), seed + 1)
    return [rest[i] for i in tr_local], [rest[i] for i in va_local], test
