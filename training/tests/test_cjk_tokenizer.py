"""The WordPiece trainer and the encoder on Chinese, Japanese, emoji and mixed-script text,
learnt from the Chinese fixtures (tests/fixtures/zh/bank-support.csv)."""
import os
import unittest

from training.data import read_examples
from training.tokenizer import SPECIAL_TOKENS, normalize, pre_tokenize, train_wordpiece

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, "tests", "fixtures", "zh", "bank-support.csv")


def fixture_texts():
    texts, _ = read_examples(FIXTURES)
    return texts


class CjkNormaliserTest(unittest.TestCase):
    def test_mixed_han_and_latin_split_into_characters_and_words(self):
        self.assertEqual(pre_tokenize(normalize("我的VISA卡被吞了")), ["我", "的", "visa", "卡", "被", "吞", "了"])

    def test_emoji_is_a_word_of_its_own_between_han_characters(self):
        self.assertEqual(pre_tokenize(normalize("卡🙂丢了")), ["卡", "🙂", "丢", "了"])

    def test_full_width_digits_stay_full_width_and_full_width_punctuation_is_split(self):
        # NFD does not fold width (NFKC would): the browser's tokenizer does the same.
        self.assertEqual(pre_tokenize(normalize("１２３，卡")), ["１２３", "，", "卡"])

    def test_cjk_punctuation_is_punctuation(self):
        self.assertEqual(pre_tokenize(normalize("「卡」丢了？！")), ["「", "卡", "」", "丢", "了", "？", "！"])

    def test_kana_is_not_padded_and_loses_its_voicing_marks(self):
        # Kana are outside the CJK ideograph ranges, so a kana run is one word; stripping
        # accents removes the combining (han)dakuten that NFD splits off: ド -> ト.
        self.assertEqual(pre_tokenize(normalize("カードをなくしました")), ["カートをなくしました"])

    def test_astral_han_is_not_padded(self):
        # transformers.js tests UTF-16 code units for CJK, so U+20000 and beyond stay joined.
        self.assertEqual(pre_tokenize(normalize("卡𠀀𠀁丢")), ["卡", "𠀀𠀁", "丢"])


class CjkTrainerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.texts = fixture_texts()
        cls.tok = train_wordpiece(cls.texts, vocab_size=1000, model_max_length=64)

    def test_every_han_character_of_the_training_texts_is_a_piece_of_its_own(self):
        han = {ch for t in self.texts for ch in t if 0x4E00 <= ord(ch) <= 0x9FFF}
        self.assertGreater(len(han), 200)
        self.assertEqual(han - set(self.tok.vocab), set())
        # Han characters are whole words once padded: never a continuation piece.
        self.assertEqual({ch for ch in han if "##" + ch in self.tok.token_to_id}, set())

    def test_latin_words_inside_chinese_text_are_learnt(self):
        for word in ("visa", "atm"):
            self.assertIn(word, self.tok.token_to_id)
        self.assertEqual(self.tok.tokenize("我的visa卡被吞了"), ["我", "的", "visa", "卡", "被", "吞", "了"])
        self.assertEqual(self.tok.tokenize("ATM吞卡了"), ["atm", "吞", "卡", "了"])

    def test_emoji_seen_in_training_is_a_piece_unseen_emoji_is_unk(self):
        self.assertEqual(self.tok.tokenize("卡丢了😭"), ["卡", "丢", "了", "😭"])
        self.assertEqual(self.tok.tokenize("卡🙂丢了"), ["卡", "[UNK]", "丢", "了"])

    def test_rare_han_character_not_in_training_is_unk_alone(self):
        self.assertNotIn("龘", self.tok.token_to_id)
        self.assertEqual(self.tok.tokenize("我的卡龘了"), ["我", "的", "卡", "[UNK]", "了"])
        ids = self.tok.encode("龘")
        self.assertEqual(ids, [self.tok.cls_id, self.tok.unk_id, self.tok.sep_id])

    def test_unseen_scripts_become_unk_words(self):
        self.assertEqual(self.tok.tokenize("カードをなくしました"), ["[UNK]"])
        self.assertEqual(self.tok.tokenize("１２３，卡"), ["[UNK]", "[UNK]", "卡"])

    def test_ascii_digits_in_chinese_text_fall_back_to_the_base_alphabet(self):
        self.assertNotIn("[UNK]", self.tok.tokenize("新卡10天了还没到 转500元"))

    def test_deterministic_and_specials_first(self):
        again = train_wordpiece(self.texts, vocab_size=1000, model_max_length=64)
        self.assertEqual(again.vocab, self.tok.vocab)
        self.assertEqual(self.tok.vocab[: len(SPECIAL_TOKENS)], SPECIAL_TOKENS)

    def test_truncation_of_a_long_unspaced_message(self):
        ids = self.tok.encode("我的卡丢了" * 30)
        self.assertEqual(len(ids), 64)
        self.assertEqual(ids[0], self.tok.cls_id)


if __name__ == "__main__":
    unittest.main()
