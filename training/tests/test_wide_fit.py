import unittest

import numpy as np
import torch

from training.model import IntentEncoder, ModelConfig
from training.train import predict_logits
from training.wide_fit import fit_convex_wide, wide_features


def random_model(trigrams: int) -> IntentEncoder:
    torch.manual_seed(0)
    model = IntentEncoder(ModelConfig(vocab_size=50, num_labels=3, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16, wide_bigram_buckets=64, wide_trigram_buckets=trigrams))
    with torch.no_grad():
        for table in [model.wide_uni, model.wide_bi] + ([model.wide_tri] if trigrams else []):
            table.weight.normal_()
    return model.eval()


class WideFeaturesTest(unittest.TestCase):
    def test_features_times_the_tables_are_the_wide_logits(self):
        rng = np.random.default_rng(1)
        seqs = [[2] + rng.integers(5, 50, size=n).tolist() + [3] for n in (1, 4, 9, 17)]
        for trigrams in (0, 32):
            model = random_model(trigrams)
            tables = [model.wide_uni.weight, model.wide_bi.weight] + ([model.wide_tri.weight] if trigrams else [])
            weights = torch.cat(tables, 0).detach().numpy()
            x = wide_features(seqs, 50, 64, trigrams)
            for seq, row in zip(seqs, x):
                ids = torch.tensor([seq])
                expected = model.wide_logits(ids, torch.ones_like(ids, dtype=torch.float32))[0].detach().numpy()
                np.testing.assert_allclose(np.asarray(row @ weights)[0], expected, atol=1e-5)


class ConvexWideFitTest(unittest.TestCase):
    def test_a_model_that_knows_nothing_gets_the_regression_and_its_logits_follow(self):
        # Class = which of three marker tokens the message holds; the untrained encoder is at chance.
        rng = np.random.default_rng(2)
        def sample(n):
            y = rng.integers(0, 3, size=n)
            seqs = [[2] + rng.integers(10, 50, size=4).tolist() + [5 + int(c)] + rng.integers(10, 50, size=3).tolist() + [3] for c in y]
            return seqs, y
        train, train_y = sample(300)
        val, val_y = sample(100)
        model = random_model(32)
        with torch.no_grad():
            for table in (model.wide_uni, model.wide_bi, model.wide_tri):
                table.weight.zero_()
        info = fit_convex_wide(model, train, train_y, val, val_y, 3, 0, predict_logits, log=lambda s: None)
        self.assertTrue(info["applied"])
        self.assertGreater(info["alpha"], 0)
        self.assertGreaterEqual(info["validation_accuracy"]["combined"], 0.95)
        self.assertEqual(float((predict_logits(model, val).argmax(1) == val_y).mean()), info["validation_accuracy"]["combined"])


if __name__ == "__main__":
    unittest.main()
