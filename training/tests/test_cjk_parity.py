"""Export parity on Chinese, Japanese, emoji and mixed-script input: a small model trained on the
Chinese fixtures is exported, and transformers.js in Node (the browser's code path) must give the
Python encoder's token ids exactly and PyTorch's logits within the pipeline's tolerance."""
import os
import shutil
import tempfile
import unittest

import numpy as np
import torch

from training.data import read_examples
from training.export import export_onnx, node_parity, write_config
from training.model import ModelConfig
from training.pipeline import PARITY_TOLERANCE
from training.tokenizer import train_wordpiece
from training.train import TrainConfig, fit, predict_logits

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, "tests", "fixtures", "zh", "bank-support.csv")

# Inputs that exercise every path of the normaliser and WordPiece on non-Latin text.
CJK_INPUTS = [
    "我的卡丢了怎么办",
    "我的visa卡被吞了",
    "我的VISA卡被ATM吞了😭",
    "卡🙂丢了",
    "卡丢了👍🏽🙏",
    "１２３，卡丢了",
    "ｖｉｓａ卡丢了",
    "「卡」丢了？！。、《转账》",
    "カードをなくしました",
    "我的卡龘了",
    "卡𠀀𠀁丢了",
    "한국어 카드 분실",
    "บัตรของฉันหาย",
    "我的卡丢了 where is my card",
    "卡\u200b丢\u00a0了\t怎么办",
    "我的卡丢了" * 30,
    "",
]


class CjkExportParityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(int(os.environ.get("GLASSDESK_THREADS", "2")))
        texts, labels_raw = read_examples(FIXTURES)
        labels = sorted(set(labels_raw))
        y = np.array([labels.index(l) for l in labels_raw])
        cls.tok = train_wordpiece(texts, vocab_size=1000, model_max_length=64)
        seqs = [cls.tok.encode(t) for t in texts]
        cfg = ModelConfig(vocab_size=len(cls.tok), num_labels=len(labels), hidden_size=32, num_attention_heads=2,
                          intermediate_size=64, num_hidden_layers=2, max_position_embeddings=64)
        cls.model, _ = fit(cfg, TrainConfig(max_epochs=4, patience=4, batch_size=32, lr=3e-3, seed=5), seqs, y, seqs[:40], y[:40],
                           mask_id=cls.tok.mask_id, quiet=True)
        cls.folder = tempfile.mkdtemp(prefix="glassdesk-cjk-parity-")
        export_onnx(cls.model, os.path.join(cls.folder, "onnx", "model.onnx"))
        write_config(cls.folder, cls.model, labels)
        cls.tok.save(cls.folder)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def test_transformers_js_gives_the_same_ids_and_logits(self):
        ids = [self.tok.encode(t) for t in CJK_INPUTS]
        logits = predict_logits(self.model, ids)
        report = node_parity(self.folder, CJK_INPUTS, ids, logits, PARITY_TOLERANCE)
        self.assertEqual(report.get("message"), None)
        self.assertTrue(report["ids_identical"])
        self.assertLessEqual(report["max_abs_diff"], PARITY_TOLERANCE)
        self.assertEqual(report["n"], len(CJK_INPUTS))
        self.assertTrue(report["ok"])
        self.assertEqual(report["exit_code"], 0)

    def test_the_inputs_reach_the_paths_they_are_meant_to(self):
        unk = self.tok.unk_id
        by_text = dict(zip(CJK_INPUTS, (self.tok.encode(t) for t in CJK_INPUTS)))
        self.assertNotIn(unk, by_text["我的卡丢了怎么办"])
        self.assertNotIn(unk, by_text["我的visa卡被吞了"])
        self.assertIn(unk, by_text["卡🙂丢了"])  # an emoji never seen
        self.assertIn(unk, by_text["我的卡龘了"])  # a rare character never seen
        self.assertEqual(by_text["カードをなくしました"], [self.tok.cls_id, unk, self.tok.sep_id])
        self.assertEqual(len(by_text["我的卡丢了" * 30]), 64)  # truncated

    def test_a_wrong_id_is_caught(self):
        # The check can fail: one id changed, and Node's ids no longer match.
        ids = [self.tok.encode(t) for t in CJK_INPUTS[:2]]
        logits = predict_logits(self.model, ids)
        tampered = [list(ids[0]), ids[1]]
        tampered[0][2] = self.tok.unk_id
        report = node_parity(self.folder, CJK_INPUTS[:2], tampered, logits, PARITY_TOLERANCE)
        self.assertFalse(report["ids_identical"])
        self.assertFalse(report["ok"])
        self.assertIn(CJK_INPUTS[0], report["message"])


if __name__ == "__main__":
    unittest.main()
