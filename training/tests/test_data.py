import os
import tempfile
import unittest

from training.data import DataError, read_examples, read_many, stratified_split, train_val_test_split


class BadInputTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, content: bytes):
        p = os.path.join(self.dir.name, name)
        with open(p, "wb") as f:
            f.write(content)
        return p

    def assertError(self, path, fragment):
        with self.assertRaises(DataError) as cm:
            read_many([path])
        msg = str(cm.exception)
        self.assertIn(fragment, msg)
        self.assertEqual(msg.count("\n"), 0)  # one sentence, one line

    def test_missing_column(self):
        self.assertError(self.write("a.csv", b"utterance,intent\nhi,greet\n"), 'missing column "text"')

    def test_missing_label_column(self):
        self.assertError(self.write("a.csv", b"text,foo\nhi,greet\n"), 'missing column "intent"')

    def test_empty(self):
        self.assertError(self.write("a.csv", b""), "empty")

    def test_header_only(self):
        self.assertError(self.write("a.csv", b"text,intent\n"), "no labelled rows")

    def test_one_class(self):
        self.assertError(self.write("a.csv", b"text,intent\nhi,greet\nhello,greet\n"), "only one intent")

    def test_not_utf8(self):
        self.assertError(self.write("a.csv", "text,intent\ncafé,x\nthé,y\n".encode("latin-1")), "not valid UTF-8")

    def test_bad_jsonl_line(self):
        self.assertError(self.write("a.jsonl", b'{"text": "hi", "intent": "a"}\nnot json\n'), "line 2 is not valid JSON")


class ReadTest(unittest.TestCase):
    def test_csv_with_category_and_jsonl(self):
        with tempfile.TemporaryDirectory() as d:
            c = os.path.join(d, "a.csv")
            with open(c, "w", encoding="utf-8") as f:
                f.write('text,category\n"hello, there",greet\nbye,leave\n')
            j = os.path.join(d, "b.jsonl")
            with open(j, "w", encoding="utf-8") as f:
                f.write('{"text": "hey", "intent": "greet"}\n\n{"text": "ciao", "label": "leave"}\n')
            self.assertEqual(read_examples(c), (["hello, there", "bye"], ["greet", "leave"]))
            self.assertEqual(read_examples(j), (["hey", "ciao"], ["greet", "leave"]))

    def test_formula_guard_of_the_export_is_undone(self):
        # The admin's training export defuses spreadsheet formulas with a leading apostrophe.
        with tempfile.TemporaryDirectory() as d:
            c = os.path.join(d, "export.csv")
            with open(c, "w", encoding="utf-8") as f:
                f.write("text,intent\n'=HYPERLINK(1),greet\n'-1 fee?,fee\n'plain quote,greet\n")
            self.assertEqual(read_examples(c), (["=HYPERLINK(1)", "-1 fee?", "'plain quote"], ["greet", "fee", "greet"]))


class SplitTest(unittest.TestCase):
    def test_stratified_and_reproducible(self):
        labels = ["a"] * 50 + ["b"] * 30 + ["c"] * 1
        rest, held = stratified_split(labels, 0.2, seed=3)
        self.assertEqual(sorted(rest + held), list(range(81)))
        self.assertEqual(sum(labels[i] == "a" for i in held), 10)
        self.assertEqual(sum(labels[i] == "b" for i in held), 6)
        self.assertNotIn(80, held)  # a single example stays in training
        self.assertEqual(stratified_split(labels, 0.2, seed=3), (rest, held))
        self.assertNotEqual(stratified_split(labels, 0.2, seed=4)[1], held)

    def test_three_way_split_is_disjoint_and_sized(self):
        labels = ["a"] * 100 + ["b"] * 50
        train, val, test = train_val_test_split(labels, 0.1, 0.2, seed=13)
        self.assertEqual(sorted(train + val + test), list(range(150)))
        self.assertEqual((len(train), len(val), len(test)), (105, 15, 30))
        # val_frac is a share of all rows: 10 of the 100 "a" rows, not 10 % of the rest.
        self.assertEqual(sum(labels[i] == "a" for i in val), 10)
        self.assertEqual(train_val_test_split(labels, 0.1, 0.2, seed=13), (train, val, test))
        train0, val0, test0 = train_val_test_split(labels, 0.1, 0.0, seed=13)
        self.assertEqual((len(train0), len(val0), test0), (135, 15, []))


if __name__ == "__main__":
    unittest.main()
