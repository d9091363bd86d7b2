import unittest

from training.tokenizer import WordPiece, normalize, pre_tokenize, split_special, train_wordpiece, SPECIAL_TOKENS


class NormaliserTest(unittest.TestCase):
    def test_lowercases_and_strips_accents(self):
        self.assertEqual(normalize("Café ÜBER Niño"), "cafe uber nino")

    def test_cleans_control_characters_and_whitespace(self):
        self.assertEqual(normalize("a\u0000b\tc\u200bd\u00a0e"), "ab cd e")

    def test_pads_cjk(self):
        self.assertEqual(normalize("我的卡"), " 我  的  卡 ")


class PreTokenizerTest(unittest.TestCase):
    def test_isolates_punctuation(self):
        self.assertEqual(pre_tokenize(normalize("I can't find my card!!")), ["i", "can", "'", "t", "find", "my", "card", "!", "!"])

    def test_unicode_punctuation(self):
        self.assertEqual(pre_tokenize("«hello»—world…"), ["«", "hello", "»", "—", "world", "…"])

    def test_special_token_literals_are_kept(self):
        self.assertEqual(split_special("a [SEP] b[CLS]"), ["a ", "[SEP]", " b", "[CLS]"])


class WordPieceTest(unittest.TestCase):
    def setUp(self):
        vocab = SPECIAL_TOKENS + ["c", "a", "r", "d", "s", "##a", "##r", "##d", "##s", "card", "##s", "!"]
        self.tok = WordPiece(list(dict.fromkeys(vocab)), model_max_length=6)

    def test_greedy_longest_match(self):
        self.assertEqual(self.tok.tokenize("cards"), ["card", "##s"])

    def test_unknown_word_is_one_unk(self):
        self.assertEqual(self.tok.tokenize("cardz"), ["[UNK]"])

    def test_truncation_cuts_like_transformers_js(self):
        ids = self.tok.encode("card card card card card card")
        self.assertEqual(len(ids), 6)
        self.assertEqual(ids[0], self.tok.cls_id)
        self.assertNotEqual(ids[-1], self.tok.sep_id)

    def test_special_literal_maps_to_its_id(self):
        self.assertEqual(self.tok.encode("card [SEP]"), [2, self.tok.token_to_id["card"], 3, 3])


class TrainerTest(unittest.TestCase):
    corpus = ["my card has not arrived", "where is my card", "cards arrive late", "I lost my card", "card arrived broken"] * 3

    def test_learns_frequent_words_and_is_deterministic(self):
        a = train_wordpiece(self.corpus, vocab_size=200)
        b = train_wordpiece(self.corpus, vocab_size=200)
        self.assertEqual(a.vocab, b.vocab)
        self.assertIn("card", a.vocab)
        self.assertIn("arrived", a.vocab)
        self.assertEqual(a.vocab[:5], SPECIAL_TOKENS)

    def test_unseen_words_fall_back_to_characters(self):
        tok = train_wordpiece(self.corpus, vocab_size=200)
        self.assertNotIn("[UNK]", tok.tokenize("zebra 42"))

    def test_vocab_size_is_respected(self):
        alphabet = len(train_wordpiece(self.corpus, vocab_size=0))
        self.assertEqual(len(train_wordpiece(self.corpus, vocab_size=alphabet + 7)), alphabet + 7)
        self.assertGreater(len(train_wordpiece(self.corpus, vocab_size=alphabet + 40)), alphabet + 7)


if __name__ == "__main__":
    unittest.main()
