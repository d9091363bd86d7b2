import unittest

from training.scripts import character_inventory, infer_language, script_of, script_profile, script_shares, unspaced_share


class ScriptProfileTest(unittest.TestCase):
    def test_latin(self):
        p = script_profile(["I lost my card", "Café crème, 2 cups!"])
        self.assertEqual(p["scripts"], {"Latin": 1.0})
        # Lower-cased, accents removed, digits kept, punctuation and spaces not.
        self.assertEqual(p["characters"], "2acdefilmoprstuy")
        self.assertEqual(infer_language(p["scripts"]), "en")

    def test_han(self):
        p = script_profile(["我的卡丢了怎么办", "查询天气"])
        self.assertEqual(p["scripts"], {"Han": 1.0})
        self.assertEqual(p["characters"], "".join(sorted(set("我的卡丢了怎么办查询天气"))))
        self.assertEqual(infer_language(p["scripts"]), "zh")

    def test_thai(self):
        # Thai vowel signs above/below are combining marks (Mn): the normalisation drops them.
        p = script_profile(["บัตรหาย"])
        self.assertEqual(p["scripts"], {"Thai": 1.0})
        self.assertEqual(p["characters"], "\u0e15\u0e1a\u0e22\u0e23\u0e2b\u0e32")  # ต บ ย ร ห า by code point; the vowel sign ั (U+0E31) is a combining mark
        self.assertEqual(infer_language(p["scripts"]), "th")
        self.assertEqual(unspaced_share(p["scripts"]), 1.0)

    def test_mixed_text_shares_round_to_four_decimals(self):
        # 6 Han letters, 4 Latin letters (v i s a), 2 digits not counted.
        shares = script_shares(["我的visa卡被吞了12"])
        self.assertEqual(shares, {"Han": 0.6, "Latin": 0.4})
        self.assertEqual(list(shares), ["Han", "Latin"])  # largest first
        self.assertEqual(script_shares(["абв", "a", "αβγδ"]), {"Greek": 0.5, "Cyrillic": 0.375, "Latin": 0.125})
        self.assertEqual(script_shares(["x" * 3 + "ب"]), {"Latin": 0.75, "Arabic": 0.25})
        self.assertEqual(script_shares(["1 2 3 !"]), {})
        self.assertEqual(character_inventory(["我的VISA卡", "Ⅻ ½ ٣"]), "".join(sorted(set("我的visa卡") | {"٣"})))

    def test_scripts_of_letters(self):
        for ch, script in (("a", "Latin"), ("É", "Latin"), ("ｱ", "Katakana"), ("あ", "Hiragana"), ("한", "Hangul"), ("ก", "Thai"),
                           ("я", "Cyrillic"), ("ش", "Arabic"), ("ω", "Greek"), ("ש", "Hebrew"), ("क", "Devanagari"), ("𠀀", "Han"), ("ა", "Other")):
            self.assertEqual(script_of(ch), script, ch)

    def test_language_from_script_shares(self):
        self.assertEqual(infer_language({"Han": 0.6, "Hiragana": 0.3, "Katakana": 0.1}), "ja")
        self.assertEqual(infer_language({"Hangul": 0.9, "Han": 0.1}), "ko")
        self.assertEqual(infer_language({"Latin": 0.9, "Han": 0.1}), "en")
        self.assertEqual(infer_language({"Cyrillic": 1.0}), "en")
        self.assertEqual(infer_language({"Han": 0.55, "Latin": 0.45}), "zh")
        self.assertEqual(infer_language({}), "en")


if __name__ == "__main__":
    unittest.main()
