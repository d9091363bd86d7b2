import unittest

import numpy as np
import torch

from training.model import Ensemble, IntentEncoder, ModelConfig, round_to_fp16
from training.train import (
    calibrate, choose_thresholds, ece, false_rejection_threshold, fit_temperature, out_of_scope_figures, says_out_of_scope, clarify_mass, softmax, validation_warning,
)


class ModelTest(unittest.TestCase):
    def test_attention_rows_sum_to_one_and_ignore_padding(self):
        torch.manual_seed(0)
        m = IntentEncoder(ModelConfig(vocab_size=50, num_labels=3, hidden_size=16, num_attention_heads=2, intermediate_size=32, num_hidden_layers=2)).eval()
        ids = torch.tensor([[2, 7, 8, 9, 3], [2, 7, 3, 0, 0]])
        mask = (ids != 0).long()
        logits, pooled, atts = m(ids, mask)
        self.assertEqual(tuple(logits.shape), (2, 3))
        self.assertEqual(tuple(pooled.shape), (2, 16))
        self.assertEqual(len(atts), 2)
        for a in atts:
            self.assertEqual(tuple(a.shape), (2, 2, 5, 5))
            self.assertTrue(torch.allclose(a.sum(-1), torch.ones(2, 2, 5), atol=1e-5))
            self.assertLess(float(a[1, :, :, 3:].max()), 1e-4)  # padding gets no attention
        # Padding does not change the prediction for the shorter sentence.
        alone, _, _ = m(ids[1:, :3], mask[1:, :3])
        self.assertTrue(torch.allclose(alone, logits[1:], atol=1e-5))


class WidePathTest(unittest.TestCase):
    def test_wide_scores_ignore_padding_and_see_word_order(self):
        torch.manual_seed(0)
        cfg = ModelConfig(vocab_size=30, num_labels=3, hidden_size=16, num_attention_heads=2, intermediate_size=32, wide_bigram_buckets=64)
        m = IntentEncoder(cfg).eval()
        torch.nn.init.normal_(m.wide_uni.weight)
        torch.nn.init.normal_(m.wide_bi.weight)
        ids = torch.tensor([[2, 7, 8, 3, 0, 0], [2, 8, 7, 3, 0, 0]])
        mask = (ids != 0).long()
        padded = m.wide_logits(ids, mask.float())
        trimmed = m.wide_logits(ids[:, :4], mask[:, :4].float())
        self.assertTrue(torch.allclose(padded, trimmed, atol=1e-6))
        # Same words, other order: unigram part equal, bigram part differs.
        self.assertFalse(torch.allclose(padded[0], padded[1]))


class EnsembleTest(unittest.TestCase):
    def test_mean_logits_all_attentions_and_unit_embedding(self):
        torch.manual_seed(0)
        cfg = ModelConfig(vocab_size=40, num_labels=4, hidden_size=16, num_attention_heads=2, intermediate_size=32, num_hidden_layers=2)
        members = [IntentEncoder(cfg).eval() for _ in range(3)]
        ens = Ensemble(members).eval()
        ids = torch.tensor([[2, 5, 6, 3]])
        mask = torch.ones_like(ids)
        logits, pooled, atts = ens(ids, mask)
        expected = torch.stack([m(ids, mask)[0] for m in members]).mean(0)
        self.assertTrue(torch.allclose(logits, expected, atol=1e-6))
        self.assertEqual(len(atts), 6)
        self.assertEqual(ens.cfg.hidden_size, 48)
        self.assertAlmostEqual(float(pooled.norm()), 1.0, places=5)

    def test_fp16_rounding_is_exact_in_half_precision(self):
        m = IntentEncoder(ModelConfig(vocab_size=30, num_labels=3, hidden_size=16, num_attention_heads=2, intermediate_size=32))
        round_to_fp16(m)
        for p in m.parameters():
            self.assertTrue(torch.equal(p.half().float(), p))


class CalibrationTest(unittest.TestCase):
    def test_temperature_lowers_ece_of_overconfident_model(self):
        rng = np.random.default_rng(0)
        n, c = 3000, 5
        base = rng.normal(0, 1.5, (n, c))
        p = softmax(base)
        # Labels drawn from the model's own probabilities: perfectly calibrated ...
        y = np.array([rng.choice(c, p=row) for row in p])
        logits = base * 4.0  # ... until it is made four times too sure of itself
        before = ece(softmax(logits), y)
        t = fit_temperature(logits, y)
        after = ece(softmax(logits, t), y)
        self.assertGreater(t, 3.0)
        self.assertLess(t, 5.0)
        self.assertGreater(before, 0.2)
        self.assertLess(after, before / 3)

    def test_calibration_guard_keeps_a_temperature_that_helps(self):
        rng = np.random.default_rng(0)
        n, c = 1000, 5
        base = rng.normal(0, 1.5, (n, c))
        y = np.array([rng.choice(c, p=row) for row in softmax(base)])
        cal = calibrate(base * 3.0, y, n_intents=c)
        self.assertTrue(cal["kept"])
        self.assertAlmostEqual(cal["temperature"], cal["fitted_temperature"], places=4)
        self.assertGreater(cal["temperature"], 2.0)
        v = cal["validation"]
        self.assertLess(v["nll_cross_fitted"], v["nll_raw"])
        self.assertLessEqual(v["ece_cross_fitted"], v["ece_raw"])
        self.assertIsNone(cal["note"])
        self.assertTrue(cal["reason"].startswith("kept"))

    def test_calibration_guard_drops_a_temperature_that_does_not_generalise(self):
        # A calibrated model on a small validation set: the fitted temperature only
        # chases noise, and on rows it was not fitted on it does not help.
        rng = np.random.default_rng(3)
        n, c = 60, 4
        base = rng.normal(0, 1.0, (n, c))
        y = np.array([rng.choice(c, p=row) for row in softmax(base)])
        cal = calibrate(base, y, n_intents=c)
        self.assertNotEqual(cal["fitted_temperature"], 1.0)
        self.assertFalse(cal["kept"])
        self.assertEqual(cal["temperature"], 1.0)
        self.assertTrue(cal["reason"].startswith("dropped"))
        self.assertIn("60 rows", cal["note"])  # under 200 rows: the card says so

    def test_calibration_with_too_few_rows_is_not_fitted(self):
        cal = calibrate(np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.array([0, 1, 1]), n_intents=2)
        self.assertEqual(cal["temperature"], 1.0)
        self.assertIsNone(cal["fitted_temperature"])
        self.assertIn("too few", cal["reason"])

    def test_small_validation_rule(self):
        self.assertIsNone(validation_warning(1000, 78))
        self.assertIn("199 rows", validation_warning(199, 10))
        self.assertIn("250 rows for 100 intents", validation_warning(250, 100))  # 2.5 per intent


class ThresholdTest(unittest.TestCase):
    def probs_with(self, conf, y, n_classes):
        """Probabilities whose top class is y with confidence conf, the rest spread evenly."""
        p = np.tile(((1 - conf) / (n_classes - 1))[:, None], (1, n_classes))
        p[np.arange(len(y)), y] = conf
        return p

    def test_threshold_holds_the_target_false_rejection_on_in_scope_rows(self):
        rng = np.random.default_rng(1)
        n = 1000
        y = rng.integers(0, 4, n)
        conf = rng.uniform(0.3, 1.0, n)
        probs = self.probs_with(conf, y, 4)
        for target in (0.01, 0.03, 0.05):
            t = false_rejection_threshold(probs, y, None, target)
            rejected = (conf < t).mean()
            self.assertLessEqual(rejected, target)
            self.assertGreater(rejected, target - 0.002)  # the largest such threshold
            self.assertAlmostEqual(t, np.sort(conf)[int(target * n)], delta=1e-4)

    def test_out_of_scope_rows_do_not_move_the_threshold_and_the_class_counts(self):
        rng = np.random.default_rng(2)
        n = 600
        y = rng.integers(0, 4, n)
        y[:10] = 4  # a handful of out-of-scope rows (class 4)
        probs = self.probs_with(rng.uniform(0.5, 1.0, n), y, 5)
        probs[:10] = [0.3, 0.25, 0.2, 0.15, 0.1]
        th = choose_thresholds(probs, y, oos_index=4, target_false_rejection=0.03)
        # Same threshold whatever the out-of-scope rows look like.
        probs2 = probs.copy()
        probs2[:10] = [0.1, 0.1, 0.1, 0.1, 0.6]
        self.assertEqual(choose_thresholds(probs2, y, oos_index=4, target_false_rejection=0.03)["out_of_scope"], th["out_of_scope"])
        v = th["validation"]
        self.assertLessEqual(v["in_scope_false_rejection"], 0.03)
        self.assertEqual(v["oos_recall_threshold_only"], 1.0)  # p1 = 0.3 is below the threshold
        # ...but 0.3, 0.25 and 0.2 are close and together reach it: the policy asks which one, it does not hand off.
        self.assertEqual(v["oos_recall"], 0.0 if th["ambiguity_margin"] > 0.05 else 1.0)
        self.assertIn("590 in-scope validation rows", th["chosen_by"])
        # In-scope rows the out-of-scope class takes use up the budget first.
        probs3 = probs.copy()
        probs3[10:20] = [0.1, 0.1, 0.1, 0.1, 0.6]
        t3 = false_rejection_threshold(probs3, y, 4, 0.03)
        self.assertLess(t3, th["out_of_scope"])
        self.assertLessEqual(says_out_of_scope(probs3, 4, t3)[y != 4].mean(), 0.03)

    def test_close_intents_together_are_in_scope(self):
        # "refund": two close intents under the threshold alone, above it together -> a question, not a hand-off.
        probs = np.array([[0.45, 0.40, 0.10, 0.05], [0.30, 0.10, 0.05, 0.55], [0.26, 0.25, 0.25, 0.24]])
        self.assertEqual(says_out_of_scope(probs, 3, 0.5).tolist(), [True, True, True])
        self.assertEqual(says_out_of_scope(probs, 3, 0.5, 0.1).tolist(), [False, True, False])
        # At most three intents count: four close ones at 0.25 give 0.75, a threshold of 0.8 still hands off.
        self.assertEqual(says_out_of_scope(np.array([[0.25, 0.25, 0.25, 0.25]]), None, 0.8, 0.1).tolist(), [True])
        self.assertAlmostEqual(float(clarify_mass(probs, 3, 0.1)[0]), 0.85)
        self.assertEqual(float(clarify_mass(probs, 3, 0.01)[0]), 0.0)

    def test_figures_without_out_of_scope_rows(self):
        y = np.array([0, 1, 0, 1])
        probs = np.array([[0.9, 0.1], [0.45, 0.55], [0.6, 0.4], [0.2, 0.8]])
        f = out_of_scope_figures(probs, y, None, 0.58)
        self.assertEqual(f, {"in_scope_false_rejection": 0.25})


if __name__ == "__main__":
    unittest.main()


class WeightAveragingTest(unittest.TestCase):
    def test_averages_the_last_epochs_and_keeps_it_only_if_validation_agrees(self):
        from training.train import TrainConfig, fit, predict_logits

        rng = np.random.default_rng(0)
        # Two classes told apart by which word piece (5..9 or 10..14) the sentence holds.
        def sample(n):
            y = rng.integers(0, 2, n)
            seqs = [[2] + list(rng.integers(5, 10, 3) + 5 * label) + [3] for label in y]
            return seqs, y

        train_seqs, train_y = sample(64)
        val_seqs, val_y = sample(32)
        cfg = ModelConfig(vocab_size=16, num_labels=2, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, max_position_embeddings=8)
        train_cfg = TrainConfig(max_epochs=5, patience=5, batch_size=16, average_last=3, token_dropout=0.0)
        model, info = fit(cfg, train_cfg, train_seqs, train_y, val_seqs, val_y, quiet=True)
        averaged = info["averaged"]
        self.assertEqual(averaged["epochs"], 3)
        best_acc = info["best_val_acc"]
        self.assertEqual(averaged["kept"], averaged["val_acc"] >= best_acc)
        acc = float((predict_logits(model, val_seqs).argmax(1) == val_y).mean())
        self.assertAlmostEqual(acc, averaged["val_acc"] if averaged["kept"] else best_acc, places=4)
        _, without = fit(cfg, TrainConfig(max_epochs=2, patience=2, batch_size=16), train_seqs, train_y, val_seqs, val_y, quiet=True)
        self.assertIsNone(without["averaged"])
