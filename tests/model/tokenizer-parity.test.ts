// The ids the model was trained on (Python tokenizer) must be the ids the
// browser feeds it (transformers.js reading our tokenizer.json).
import { describe, expect, it } from 'vitest';
import { AutoTokenizer, env } from '@huggingface/transformers';

import { demoModel, pythonEncode } from './helpers';

const CORPUS = [
  'I am still waiting on my card?',
  "What can I do if my card still hasn't arrived after 2 weeks?",
  'Café, naïve résumé — Ångström façade; jalapeño & crème brûlée!',
  'ÜBER-EXPENSIVE fee?!?! (£25.00) vs $30/€27...',
  'email me at someone@example.com or call +44 20 7946 0958',
  'Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ and ﬁ ligatures',
  '我的卡丢了 where is my card',
  'tabs\tand\nnewlines\r\nand\u00a0nbsp\u200b zero width',
  'emoji 😀👍🏽 and symbols ©®™ ±×÷',
  'Ελληνικά ΣΊΣΥΦΟΣ and русский текст and עברית',
  'a [SEP] literal [CLS] and [MASK] tokens[UNK]',
  'supercalifragilisticexpialidocious '.repeat(3) + 'x'.repeat(120),
  'word '.repeat(300),
  '',
  '   ',
  "can't won't shouldn't y'all o'clock",
  'İstanbul ǅemal ß straße',
];

describe('tokenizer parity (Python training tokenizer vs transformers.js)', () => {
  it('gives identical ids, including truncation of over-long input', async () => {
    env.allowRemoteModels = false;
    const tokenizer = await AutoTokenizer.from_pretrained(demoModel);
    const expected = pythonEncode(demoModel, CORPUS);
    const maxLength = Number(tokenizer.model_max_length);
    for (let i = 0; i < CORPUS.length; i++) {
      const enc = tokenizer(CORPUS[i], { padding: true, truncation: true, return_tensor: false }) as unknown as { input_ids: number[] };
      expect({ text: CORPUS[i], ids: enc.input_ids.map(Number) }).toEqual({ text: CORPUS[i], ids: expected[i] });
      expect(enc.input_ids.length).toBeLessThanOrEqual(maxLength);
    }
    // The two over-long inputs really were cut.
    expect(expected[12].length).toBe(maxLength);
  });
});
