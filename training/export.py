"""Writing the transformers.js model folder and checking it from Node."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from typing import List, Optional, Sequence

import numpy as np
import torch

from .model import ExportWrapper, IntentEncoder
from .tokenizer import WordPiece

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSET = 14


class ExportError(Exception):
    pass


def output_names(num_layers: int) -> List[str]:
    return ["logits"] + [f"attention_{i}" for i in range(num_layers)] + ["sentence_embedding"]


def export_onnx(model, path: str) -> None:
    model.eval()
    wrapper = ExportWrapper(model)
    ids = torch.tensor([[2, 10, 11, 12, 3], [2, 13, 3, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    names = output_names(model.cfg.num_hidden_layers)
    dyn = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}, "sentence_embedding": {0: "batch"}}
    for n in names[1:-1]:
        dyn[n] = {0: "batch", 2: "sequence", 3: "sequence"}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        # The tracer's shape-inference chatter is expected for this graph.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            (ids, mask),
            path,
            input_names=["input_ids", "attention_mask"],
            output_names=names,
            dynamic_axes=dyn,
            opset_version=OPSET,
            do_constant_folding=True,
        )
    import onnx

    onnx.checker.check_model(onnx.load(path))


def quantize_weights_int8(src: str, dst: str, min_elements: int = 4096) -> None:
    """Weight-only int8: every large float initializer becomes int8 + a per-tensor
    scale feeding a DequantizeLinear node. Activations stay fp32, so the graph runs
    on every onnxruntime backend; the file is ~4x smaller."""
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.load(src)
    g = m.graph
    new_inits = []
    new_nodes = []
    for init in list(g.initializer):
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.size < min_elements:
            new_inits.append(init)
            continue
        scale = float(np.abs(w).max()) / 127.0 or 1.0
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        qname, sname, zname = init.name + "_q", init.name + "_scale", init.name + "_zero"
        new_inits += [
            numpy_helper.from_array(q, qname),
            numpy_helper.from_array(np.array(scale, dtype=np.float32), sname),
            numpy_helper.from_array(np.array(0, dtype=np.int8), zname),
        ]
        new_nodes.append(helper.make_node("DequantizeLinear", [qname, sname, zname], [init.name], name=init.name + "_dq"))
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(new_nodes + nodes)
    onnx.checker.check_model(m)
    onnx.save(m, dst)


def store_weights_fp16(path: str, min_elements: int = 1024) -> None:
    """Rewrite large float32 initializers as float16 + Cast(to float32). Lossless
    for weights already rounded with model.round_to_fp16; onnxruntime folds the
    casts when the session is created."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    m = onnx.load(path)
    g = m.graph
    inits, casts = [], []
    for init in list(g.initializer):
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.size < min_elements:
            inits.append(init)
            continue
        h = w.astype(np.float16)
        if not np.array_equal(h.astype(np.float32), w):
            raise ExportError(f"weight {init.name} is not float16-exact; round the model with round_to_fp16 first.")
        inits.append(numpy_helper.from_array(h, init.name + "_fp16"))
        casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=TensorProto.FLOAT, name=init.name + "_cast"))
    del g.initializer[:]
    g.initializer.extend(inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def write_config(folder: str, model, labels: Sequence[str], members: int = 1) -> None:
    c = model.cfg
    member = getattr(model, "member_cfg", c)
    config = {
        "model_type": "bert",
        "architectures": ["BertForSequenceClassification"],
        "problem_type": "single_label_classification",
        "vocab_size": c.vocab_size,
        "hidden_size": member.hidden_size,
        "embedding_size": c.embedding_size,
        "num_hidden_layers": c.num_hidden_layers,
        "ensemble_members": members,
        "sentence_embedding_size": c.hidden_size,
        "num_attention_heads": c.num_attention_heads,
        "intermediate_size": c.intermediate_size,
        "max_position_embeddings": c.max_position_embeddings,
        "hidden_act": "gelu",
        "pad_token_id": 0,
        "id2label": {str(i): l for i, l in enumerate(labels)},
        "label2id": {l: i for i, l in enumerate(labels)},
        "output_names": output_names(c.num_hidden_layers),
        "transformers.js_config": {"dtype": "fp32"},
    }
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)


def write_similar_index(folder: str, embeddings: np.ndarray, texts: Sequence[str], label_ids: Sequence[int], labels: Sequence[str], per_intent: int, seed: int) -> dict:
    """A compact nearest-neighbour index for "similar questions" evidence:
    L2-normalised sentence embeddings quantised to int8 (x127) in a .bin file,
    texts and labels in JSON. At most `per_intent` examples per intent, chosen
    at random with the seed, to keep the download small."""
    rng = np.random.default_rng(seed)
    chosen: List[int] = []
    label_ids = np.asarray(label_ids)
    for c in range(len(labels)):
        idx = np.nonzero(label_ids == c)[0]
        if len(idx) > per_intent:
            idx = np.sort(rng.choice(idx, per_intent, replace=False))
        chosen += idx.tolist()
    e = embeddings[chosen]
    e = e / (np.linalg.norm(e, axis=1, keepdims=True) + 1e-12)
    q = np.clip(np.round(e * 127), -127, 127).astype(np.int8)
    q.tofile(os.path.join(folder, "similar-index.bin"))
    meta = {
        "format": "int8 row-major, value/127 = component of the L2-normalised sentence embedding",
        "file": "similar-index.bin",
        "count": len(chosen),
        "dim": int(e.shape[1]),
        "scale": 127,
        "texts": [texts[i] for i in chosen],
        "labels": [int(label_ids[i]) for i in chosen],
    }
    with open(os.path.join(folder, "similar-index.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, separators=(",", ":"))
    return {"count": len(chosen), "dim": int(e.shape[1]), "per_intent": per_intent}


def find_tsx() -> List[str]:
    local = os.path.join(REPO, "node_modules", ".bin", "tsx")
    if os.path.exists(local):
        return [local]
    if shutil.which("tsx"):
        return ["tsx"]
    raise ExportError("cannot check the export: tsx not found; run `npm install` in the repository.")


def node_parity(folder: str, texts: Sequence[str], input_ids: Sequence[Sequence[int]], logits: np.ndarray, tolerance: float, dtype: str = "fp32") -> dict:
    """Run the exported folder through transformers.js in Node (lib/model) and
    compare token ids and logits with PyTorch. Returns the Node report."""
    with tempfile.TemporaryDirectory() as tmp:
        expected = os.path.join(tmp, "expected.json")
        report = os.path.join(tmp, "report.json")
        with open(expected, "w", encoding="utf-8") as f:
            json.dump({"texts": list(texts), "input_ids": [list(map(int, s)) for s in input_ids], "logits": logits.astype(float).tolist()}, f)
        cmd = find_tsx() + [os.path.join(REPO, "training", "parity.ts"), "--model", folder, "--expected", expected, "--report", report, "--tolerance", str(tolerance), "--dtype", dtype]
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if not os.path.exists(report):
            raise ExportError(f"the Node parity check could not run: {(proc.stderr or proc.stdout).strip().splitlines()[-1:] or ['no output']}")
        with open(report, encoding="utf-8") as f:
            result = json.load(f)
        result["exit_code"] = proc.returncode
        return result
