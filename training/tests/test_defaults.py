import io
import unittest

from training.defaults import MIN_EPOCHS, TRAINING_BUDGET_SECONDS, DataFacts, choose_settings, estimated_training_seconds, resolve_settings
from training.pipeline import build_parser
from training.progress import Progress, format_duration

BANKING77 = DataFacts(train_rows=8214, intents=78, scripts={"Latin": 1.0}, vector_coverage=0.89)
SMP2017 = DataFacts(train_rows=1954, intents=31, scripts={"Han": 0.988, "Latin": 0.012}, vector_coverage=0.004)


def values(settings):
    return {k: v.value for k, v in settings.items()}


class DefaultsTest(unittest.TestCase):
    def test_banking77_gets_the_configuration_that_beat_the_peer(self):
        v = values(choose_settings(BANKING77))
        self.assertEqual(v["pretrained"], True)
        self.assertEqual((v["wide_buckets"], v["wide_trigrams"], v["members"], v["fp16"]), (2048, 0, 2, True))
        self.assertEqual((v["epochs"], v["patience"]), (45, 45))
        self.assertEqual(v["distill"], 0.0)
        self.assertEqual(v["wide_fit"], False)

    def test_unspaced_script_without_vector_coverage(self):
        s = choose_settings(SMP2017)
        v = values(s)
        self.assertEqual(v["pretrained"], False)
        self.assertIn("0.4%", s["pretrained"].rule)
        self.assertIn("unspaced", s["wide_buckets"].rule)
        self.assertEqual(v["teacher"], "char")
        self.assertEqual(v["members"], 2)
        self.assertEqual(v["wide_fit"], True)

    def test_missing_vectors_mean_random_init(self):
        facts = DataFacts(train_rows=500, intents=5, scripts={"Latin": 1.0}, vector_coverage=None)
        self.assertEqual(choose_settings(facts)["pretrained"].value, False)

    def test_large_files_stay_within_the_time_budget(self):
        for rows in (8000, 40_000, 200_000):
            v = values(choose_settings(DataFacts(train_rows=rows, intents=50, scripts={"Latin": 1.0}, vector_coverage=0.9)))
            self.assertGreaterEqual(v["epochs"], MIN_EPOCHS)
            if estimated_training_seconds(rows, MIN_EPOCHS, 1) <= TRAINING_BUDGET_SECONDS:
                self.assertLessEqual(estimated_training_seconds(rows, v["epochs"], v["members"]), TRAINING_BUDGET_SECONDS)
        self.assertLess(values(choose_settings(DataFacts(40_000, 50, {"Latin": 1.0}, 0.9)))["epochs"], 45)
        self.assertEqual(values(choose_settings(DataFacts(200_000, 50, {"Latin": 1.0}, 0.9)))["members"], 1)

    def test_a_10000_row_file_fits_in_45_minutes(self):
        v = values(choose_settings(DataFacts(train_rows=8000, intents=77, scripts={"Latin": 1.0}, vector_coverage=0.9)))
        self.assertLess(estimated_training_seconds(8000, v["epochs"], v["members"]), 45 * 60)

    def test_explicit_flags_win_and_say_so(self):
        args = build_parser().parse_args(["--data", "x.csv", "--members", "3", "--no-fp16", "--epochs", "20", "--no-pretrained"])
        out = resolve_settings(args, BANKING77)
        self.assertEqual((args.members, args.fp16, args.epochs, args.pretrained), (3, False, 20, False))
        self.assertEqual(out["members"]["rule"], "set on the command line (--members 3)")
        self.assertEqual(out["fp16"]["rule"], "set on the command line (--no-fp16)")
        self.assertEqual(out["pretrained"]["rule"], "set on the command line (--no-pretrained)")
        # Rules fill the rest; the patience follows the schedule's length, whoever set it.
        self.assertEqual(args.wide_buckets, 2048)
        self.assertEqual(out["wide_buckets"]["rule"], choose_settings(BANKING77)["wide_buckets"].rule)
        self.assertEqual(args.patience, 20)
        args = build_parser().parse_args(["--data", "x.csv", "--epochs", "20", "--patience", "5"])
        resolve_settings(args, BANKING77)
        self.assertEqual(args.patience, 5)

    def test_no_flag_means_the_rules(self):
        args = build_parser().parse_args(["--data", "x.csv"])
        out = resolve_settings(args, SMP2017)
        chosen = choose_settings(SMP2017)
        for name, setting in out.items():
            self.assertEqual(setting["value"], chosen[name].value, name)
            self.assertEqual(getattr(args, name), chosen[name].value, name)


class ProgressTest(unittest.TestCase):
    def test_eta_covers_every_member_and_skips_early_stopped_steps(self):
        now = [0.0]
        out = io.StringIO()
        bar = Progress(400, "training", stream=out, clock=lambda: now[0])
        for _ in range(100):  # member 1: 100 steps of 0.5 s, then stops early, 100 steps short
            now[0] += 0.5
            bar.update(1)
        self.assertAlmostEqual(bar.eta(), 150.0)  # 300 steps left at 0.5 s
        bar.skip(100)
        self.assertAlmostEqual(bar.eta(), 100.0)  # member 2's 200 steps
        self.assertIn("eta 1m40s", out.getvalue().splitlines()[-1])
        for _ in range(200):
            now[0] += 0.5
            bar.update(1)
        self.assertEqual(bar.eta(), 0.0)
        self.assertIn("400/400 (100%) 2m30s elapsed, eta 0s", out.getvalue().splitlines()[-1])

    def test_durations(self):
        self.assertEqual([format_duration(s) for s in (0, 59.6, 61, 3599, 3600 * 2 + 61)], ["0s", "1m00s", "1m01s", "59m59s", "2h01m"])


if __name__ == "__main__":
    unittest.main()
