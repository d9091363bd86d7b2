"""The settings `npm run train` picks from the data when a flag is not given.

Every rule is here, in `choose_settings`, with the measurement behind it in
training/README.md ("Defaults") and bench/model-quality/RESULTS.md. An explicit
flag always wins over its rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

from .scripts import unspaced_share

# English word vectors help when they know most of the words: +4.0 points on
# Banking77 at 89 % coverage. smp2017 (Chinese) has 0.4 % coverage.
MIN_VECTOR_COVERAGE = 0.5
# Text this much in unspaced scripts (Han, kana, Thai) is read character by character.
UNSPACED_TEXT_SHARE = 0.5
# Seconds per training row, epoch and member, measured on Banking77 (one thread, idle 2-core machine) with
# the default model (8 214 rows x 45 epochs x 2 members in 750 s, evaluation included).
SECONDS_PER_ROW_EPOCH = 750.0 / (8214 * 45 * 2)
# The whole default run must fit in 45 minutes; export and parity take the rest.
TRAINING_BUDGET_SECONDS = 38 * 60
MIN_EPOCHS = 15

SETTINGS = ("pretrained", "wide_buckets", "wide_trigrams", "wide_fit", "members", "fp16", "epochs", "patience", "distill", "teacher")


@dataclass
class DataFacts:
    """What the rules look at."""

    train_rows: int
    intents: int
    scripts: Dict[str, float]
    vector_coverage: Optional[float]  # share of training word occurrences with an English vector; None = not measured


@dataclass
class Setting:
    value: object
    rule: str

    def to_dict(self) -> dict:
        return {"value": self.value, "rule": self.rule}


def choose_settings(facts: DataFacts) -> Dict[str, Setting]:
    """One Setting (value and the rule that chose it) per name in SETTINGS."""
    s: Dict[str, Setting] = {}
    unspaced = unspaced_share(facts.scripts) >= UNSPACED_TEXT_SHARE
    kind = "unspaced script (Han, kana or Thai)" if unspaced else "spaced script"

    if facts.vector_coverage is None:
        s["pretrained"] = Setting(False, "English word vectors not available")
    elif facts.vector_coverage >= MIN_VECTOR_COVERAGE:
        s["pretrained"] = Setting(True, f"English word vectors cover {facts.vector_coverage:.0%} of training words (>= {MIN_VECTOR_COVERAGE:.0%}; +4.0 points over random init on Banking77)")
    else:
        s["pretrained"] = Setting(False, f"English word vectors cover only {facts.vector_coverage:.1%} of training words (< {MIN_VECTOR_COVERAGE:.0%}): random init")

    if unspaced:
        s["wide_buckets"] = Setting(UNSPACED_WIDE_BUCKETS, f"{kind}: character bigrams are its words, {UNSPACED_WIDE_BUCKETS} hashed bigram buckets")
    else:
        s["wide_buckets"] = Setting(2048, f"{kind}: 2048 hashed word-piece bigram buckets (the measured Banking77 configuration)")

    if unspaced:
        s["wide_trigrams"] = Setting(UNSPACED_WIDE_TRIGRAMS, f"{kind}: {UNSPACED_WIDE_TRIGRAMS} hashed character-trigram buckets" if UNSPACED_WIDE_TRIGRAMS else f"{kind}: no trigrams")
        s["teacher"] = Setting("char", f"{kind}: the distillation teacher reads character n-grams")
    else:
        s["wide_trigrams"] = Setting(0, f"{kind}: no trigram buckets (the measured Banking77 configuration)")
        s["teacher"] = Setting("word+char", f"{kind}: the distillation teacher reads word and character n-grams")
    if unspaced and UNSPACED_DISTILL:
        s["distill"] = Setting(UNSPACED_DISTILL, f"{kind}: soft targets from the character n-gram peer, weight {UNSPACED_DISTILL}")
    else:
        s["distill"] = Setting(0.0, "no distillation (it cost 1.1 points on Banking77)" if not unspaced else f"{kind}: no distillation")

    if unspaced:
        s["wide_fit"] = Setting(True, f"{kind}: a logistic regression on the wide path's n-grams is added after training, its weight chosen on validation (its own 90.9 % against the jointly trained 88.1 % on smp2017 split 13)")
    else:
        s["wide_fit"] = Setting(False, f"{kind}: the wide path as trained (the measured Banking77 configuration)")

    s["members"] = Setting(2, "two-model ensemble (+0.9 point over one model on the Banking77 demo split)")
    s["fp16"] = Setting(True, "float16 weights: half the download; 0.1 % of Banking77 validation predictions changed")

    epochs, why = 45, "45 epochs with the learning rate decayed to the end (the measured Banking77 schedule)"
    members = int(s["members"].value)
    fits = int(TRAINING_BUDGET_SECONDS / (SECONDS_PER_ROW_EPOCH * max(1, facts.train_rows) * members))
    if fits < epochs:
        epochs = max(MIN_EPOCHS, fits)
        why = f"{facts.train_rows} training rows x {members} members: {epochs} epochs to stay within {TRAINING_BUDGET_SECONDS // 60} minutes"
        if fits < MIN_EPOCHS:
            members = 1
            s["members"] = Setting(1, f"{facts.train_rows} training rows: one model to stay within {TRAINING_BUDGET_SECONDS // 60} minutes")
            epochs = max(MIN_EPOCHS, min(45, int(TRAINING_BUDGET_SECONDS / (SECONDS_PER_ROW_EPOCH * max(1, facts.train_rows)))))
            why = f"{facts.train_rows} training rows: {epochs} epochs to stay within {TRAINING_BUDGET_SECONDS // 60} minutes"
    s["epochs"] = Setting(epochs, why)
    s["patience"] = Setting(epochs, "no early stopping: the best validation epoch is kept, the schedule runs to its end")
    return s


def resolve_settings(args, facts: DataFacts) -> Dict[str, dict]:
    """Fill every setting the command line left unset (None) from its rule, in place
    on `args`; returns {name: {"value", "rule"}} for the card and the log."""
    chosen = choose_settings(facts)
    out: Dict[str, dict] = {}
    for name in SETTINGS:
        given = getattr(args, name)
        if given is None:
            setattr(args, name, chosen[name].value)
            out[name] = chosen[name].to_dict()
        else:
            flag = "--" + name.replace("_", "-")
            if given is False:
                flag = "--no-" + name.replace("_", "-")
            elif given is not True:
                flag += f" {given}"
            out[name] = {"value": given, "rule": f"set on the command line ({flag})"}
    if args.patience is None or out["patience"]["rule"] == chosen["patience"].rule:
        # The patience rule is "the whole schedule", whoever set its length.
        args.patience = args.epochs
        out["patience"]["value"] = args.epochs
    return out


def estimated_training_seconds(train_rows: int, epochs: int, members: int) -> float:
    return SECONDS_PER_ROW_EPOCH * train_rows * epochs * members


# Filled from the smp2017 measurements (bench/model-quality/RESULTS.md).
UNSPACED_WIDE_BUCKETS = 8192
UNSPACED_WIDE_TRIGRAMS = 8192
UNSPACED_DISTILL = 0.5
