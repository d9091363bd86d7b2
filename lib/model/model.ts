// The intent model at run time: isomorphic (browser worker and Node). Node-only
// loading lives in ./node.ts; nothing here touches the file system.
import { AutoModelForSequenceClassification, AutoTokenizer, Tensor } from '@huggingface/transformers';
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';

import { DEFAULT_LANGUAGE } from './card';
import { softmax } from './metrics';
import { alignTokens } from './spans';
import type { Analysis, LoadOptions, ModelCard, PredictFn } from './types';

type Outputs = Record<string, Tensor>;

/** Always pad and truncate: the tokenizer.json truncation block is ignored by
 * transformers.js, and an input longer than the position table crashes the session. */
const TOKENIZE = { padding: true, truncation: true } as const;

function rows(t: Tensor): number[][] {
  const [n, d] = t.dims as number[];
  const data = t.data as Float32Array;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from(data.subarray(i * d, (i + 1) * d)));
  return out;
}

/** [1, heads, q, k] tensor -> heads x q x k nested arrays. */
function attentionOf(t: Tensor): number[][][] {
  const [, h, q, k] = t.dims as number[];
  const data = t.data as Float32Array;
  const heads: number[][][] = [];
  for (let a = 0; a < h; a++) {
    const m: number[][] = [];
    for (let i = 0; i < q; i++) m.push(Array.from(data.subarray((a * q + i) * k, (a * q + i + 1) * k)));
    heads.push(m);
  }
  return heads;
}

export class IntentModel {
  readonly labels: string[];
  readonly temperature: number;
  readonly maxLength: number;
  /** The language the model reads (its card's), in which its word units are cut. */
  readonly locale: string;
  private readonly vocab: string[];

  constructor(
    readonly tokenizer: PreTrainedTokenizer,
    readonly model: PreTrainedModel,
    readonly card: ModelCard | null = null,
    private readonly batchSize = 64,
  ) {
    const id2label = (model.config as unknown as { id2label?: Record<string, string> }).id2label ?? {};
    const n = Object.keys(id2label).length;
    this.labels = Array.from({ length: n }, (_, i) => id2label[String(i)]);
    if (card && card.labels.join('\n') !== this.labels.join('\n')) {
      throw new Error('model card labels do not match config.json id2label');
    }
    this.temperature = card?.temperature ?? 1;
    this.locale = card?.language ?? DEFAULT_LANGUAGE;
    this.maxLength = Number(tokenizer.model_max_length);
    this.vocab = [];
    for (const [tok, id] of tokenizer.get_vocab()) this.vocab[id] = tok;
  }

  /**
   * Loads tokenizer and ONNX model. `modelId` is a folder path in Node, or a
   * name under `env.localModelPath` in the browser (the caller configures env).
   */
  static async load(modelId: string, options: LoadOptions & { card?: ModelCard | null } = {}): Promise<IntentModel> {
    const progress = options.onProgress ? { progress_callback: options.onProgress } : {};
    // In parallel: the model's session (runtime start-up included) is most of the wait.
    const [tokenizer, model] = await Promise.all([
      AutoTokenizer.from_pretrained(modelId, progress),
      AutoModelForSequenceClassification.from_pretrained(modelId, {
        ...progress,
        dtype: options.dtype ?? 'fp32',
        ...(options.device ? { device: options.device } : {}),
        session_options: {
          ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
          ...(options.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
        },
      }),
    ]);
    return new IntentModel(tokenizer, model, options.card ?? null, options.batchSize ?? 64);
  }

  private async run(texts: string[]): Promise<{ outputs: Outputs; inputIds: Tensor }> {
    const inputs = this.tokenizer(texts, TOKENIZE) as unknown as { input_ids: Tensor; attention_mask: Tensor };
    const outputs = (await this.model.forward({ input_ids: inputs.input_ids, attention_mask: inputs.attention_mask })) as Outputs;
    return { outputs, inputIds: inputs.input_ids };
  }

  /** Raw logits for many texts, in batches. */
  async logits(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let s = 0; s < texts.length; s += this.batchSize) {
      const { outputs } = await this.run(texts.slice(s, s + this.batchSize));
      out.push(...rows(outputs.logits));
    }
    return out;
  }

  /** Calibrated probabilities for many texts: the `predict` every explainer uses. */
  predict: PredictFn = async (texts) => (await this.logits(texts)).map((l) => softmax(l, this.temperature));

  /** Sentence embeddings (the classifier's input) for many texts. */
  async embed(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let s = 0; s < texts.length; s += this.batchSize) {
      const { outputs } = await this.run(texts.slice(s, s + this.batchSize));
      out.push(...rows(outputs.sentence_embedding));
    }
    return out;
  }

  /** One forward pass over one text with everything the explainers need. */
  async analyse(text: string): Promise<Analysis> {
    const { outputs, inputIds } = await this.run([text]);
    const ids = Array.from(inputIds.data as BigInt64Array, Number);
    const full = this.tokenizer.encode(text);
    const truncated = full.length > ids.length;
    const tokens = ids.map((id) => this.vocab[id] ?? '[UNK]');
    const aligned = alignTokens(text, ids, tokens, truncated, this.locale);
    const logits = rows(outputs.logits)[0];
    const probabilities = softmax(logits, this.temperature);
    const attentionNames = Object.keys(outputs)
      .filter((k) => /^attention_\d+$/.test(k))
      .sort((a, b) => Number(a.slice(10)) - Number(b.slice(10)));
    let top = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[top]) top = i;
    return {
      text,
      labels: this.labels,
      logits,
      probabilities,
      temperature: this.temperature,
      top,
      tokens: aligned.tokens,
      words: aligned.words,
      attentions: attentionNames.map((k) => attentionOf(outputs[k])),
      embedding: rows(outputs.sentence_embedding)[0],
      truncated,
    };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
