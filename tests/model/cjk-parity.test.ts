// The Chinese fixture model (tests/support/zh-fixture-model.mjs, trained by the pipeline from
// tests/fixtures/zh): the ids it was trained on (Python tokenizer) are the ids the browser feeds
// it (transformers.js) on CJK, emoji and mixed-script text; its export passed parity; it reads
// Chinese; and the bank-zh bot's answers cover exactly its intents.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, env } from '@huggingface/transformers';

import { loadBotContent } from '../../lib/bot/answers';
import { parseModelCard } from '../../lib/model/card';
import { loadModelFromDir } from '../../lib/model/node';
import { ensureZhFixtureModel, ZH_BOT, zhModelDir } from '../support/zh-fixture-model.mjs';
import { pythonEncode } from './helpers';

const CORPUS = [
  '我的卡丢了怎么办',
  '我的visa卡被吞了',
  '我的VISA卡被ATM吞了😭',
  '卡🙂丢了',
  '卡丢了👍🏽🙏',
  '１２３，卡丢了',
  'ｖｉｓａ卡丢了',
  '「卡」丢了？！。、《转账》',
  'カードをなくしました',
  '我的卡龘了',
  '卡𠀀𠀁丢了',
  '한국어 카드 분실',
  'บัตรของฉันหาย',
  '我的卡丢了 where is my card',
  '卡\u200b丢\u00a0了\t怎么办',
  '我的[SEP]卡[UNK]丢了',
  '我的卡丢了'.repeat(30),
  '',
];

type Vocab = Record<string, number>;

describe('the Chinese fixture model', () => {
  let tokensOf: (ids: number[]) => string[];

  beforeAll(() => {
    // Trains it (about a minute) when `npm test` has not already.
    ensureZhFixtureModel();
    const vocab = (JSON.parse(readFileSync(path.join(zhModelDir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Vocab } }).model.vocab;
    const byId = new Map(Object.entries(vocab).map(([token, id]) => [id, token]));
    tokensOf = (ids) => ids.map((id) => byId.get(id) ?? `?${id}`);
  }, 600_000);

  it('is tokenised by transformers.js exactly as by the training tokenizer, on CJK, emoji and mixed scripts', async () => {
    env.allowRemoteModels = false;
    const tokenizer = await AutoTokenizer.from_pretrained(zhModelDir);
    const expected = pythonEncode(zhModelDir, CORPUS);
    for (let i = 0; i < CORPUS.length; i++) {
      const enc = tokenizer(CORPUS[i]!, { padding: true, truncation: true, return_tensor: false }) as unknown as { input_ids: number[] };
      expect({ text: CORPUS[i], ids: enc.input_ids.map(Number) }).toEqual({ text: CORPUS[i], ids: expected[i] });
    }
    // The pieces are the ones meant: Han characters one by one, Latin words whole, unseen
    // characters, emoji and scripts as [UNK], over-long input cut.
    const tokens = expected.map(tokensOf);
    expect(tokens[0]).toEqual(['[CLS]', '我', '的', '卡', '丢', '了', '怎', '么', '办', '[SEP]']);
    expect(tokens[1]).toEqual(['[CLS]', '我', '的', 'visa', '卡', '被', '吞', '了', '[SEP]']);
    expect(tokens[2]).toEqual(['[CLS]', '我', '的', 'visa', '卡', '被', 'atm', '吞', '了', '😭', '[SEP]']);
    expect(tokens[3]).toEqual(['[CLS]', '卡', '[UNK]', '丢', '了', '[SEP]']);
    expect(tokens[8]).toEqual(['[CLS]', '[UNK]', '[SEP]']);
    expect(tokens[9]).toEqual(['[CLS]', '我', '的', '卡', '[UNK]', '了', '[SEP]']);
    expect(tokens[15]).toEqual(['[CLS]', '我', '的', '[SEP]', '卡', '[UNK]', '丢', '了', '[SEP]']);
    expect(expected[16]).toHaveLength(Number(tokenizer.model_max_length));
  });

  it('passed the pipeline parity check on its Chinese validation texts', () => {
    const card = JSON.parse(readFileSync(path.join(zhModelDir, 'model-card.json'), 'utf8'));
    expect(card.export.parity.token_ids_identical).toBe(true);
    expect(card.export.parity.n).toBeGreaterThanOrEqual(10);
    expect(card.export.parity.max_abs_diff).toBeLessThanOrEqual(1e-4);
    expect(card.training.data).toEqual(['tests/fixtures/zh/bank-support.csv']);
  });

  it('reads Chinese: messages it was not trained on get the right intent', async () => {
    const model = await loadModelFromDir(zhModelDir);
    try {
      const messages = { '我的卡丢了怎么办': 'lost_card', '我的visa卡被吞了': 'card_swallowed', '我想查一下余额': 'balance', '怎么修改密码': 'change_pin' };
      const probabilities = await model.predict(Object.keys(messages));
      const predicted = probabilities.map((p) => model.labels[p.indexOf(Math.max(...p))]);
      expect(predicted).toEqual(Object.values(messages));
    } finally {
      await model.dispose();
    }
  });

  it('has answers for exactly its intents in the bank-zh bot', () => {
    const card = parseModelCard(JSON.parse(readFileSync(path.join(zhModelDir, 'model-card.json'), 'utf8')));
    expect(Object.keys(loadBotContent(ZH_BOT).intents).sort()).toEqual([...card.labels].sort());
  });
});
