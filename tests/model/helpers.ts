// Shared fixtures for the model tests: a small synthetic intent dataset and
// runners for the training CLI and the Python tokenizer.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const repo = path.resolve(__dirname, '..', '..');
export const demoModel = path.join(repo, 'public', 'models', 'banking77');

export function python(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `glassdesk-${prefix}-`));
}

const TEMPLATES: Record<string, string[]> = {
  lost_card: ['i lost my {card}', 'my {card} was stolen', 'someone took my {card}', 'where did my {card} go, i cannot find it', 'please block my missing {card}'],
  balance: ['what is my {acct} balance', 'how much money is in my {acct}', 'show me the balance of my {acct}', 'check my {acct} funds', 'how much do i have in my {acct}'],
  transfer: ['send money to my {who}', 'transfer cash to my {who}', 'i want to pay my {who}', 'how do i wire funds to my {who}', 'move money over to my {who}'],
  greeting: ['hello {tail}', 'hi there {tail}', 'good morning {tail}', 'hey {tail}', 'greetings {tail}'],
};
const FILL: Record<string, string[]> = {
  card: ['card', 'debit card', 'credit card', 'visa', 'bank card', 'new card'],
  acct: ['account', 'savings account', 'current account', 'checking account', 'wallet', 'main account'],
  who: ['friend', 'mother', 'landlord', 'brother', 'colleague', 'sister'],
  tail: ['friend', 'bot', 'team', 'everyone', 'assistant', 'there'],
};

/** 4 intents x 30 distinct utterances, as `text,intent` CSV. */
export function syntheticCsv(): string {
  const rows = ['text,intent'];
  for (const [intent, templates] of Object.entries(TEMPLATES)) {
    for (const t of templates) {
      const slot = /\{(\w+)\}/.exec(t)![1];
      for (const f of FILL[slot]) rows.push(`"${t.replace(`{${slot}}`, f)}",${intent}`);
    }
  }
  return rows.join('\n') + '\n';
}

/** A tiny file in the wink-embeddings format, so tests do not parse the 294 MB original. */
export function tinyVectors(dir: string): string {
  const words = ['card', 'lost', 'stolen', 'money', 'balance', 'account', 'transfer', 'send', 'hello', 'hi', 'friend', 'my', 'i'];
  const vectors: Record<string, number[]> = {};
  words.forEach((w, i) => {
    const v = Array.from({ length: 100 }, (_, j) => Math.sin((i + 1) * (j + 1)) * 0.5);
    vectors[w] = [...v, 1, i];
  });
  const file = path.join(dir, 'vectors.json');
  writeFileSync(file, JSON.stringify({ precision: 8, l2NormIndex: 100, wordIndex: 101, size: words.length, dimensions: 100, words, vectors, unkVector: new Array(102).fill(0) }));
  return file;
}

export function runTrain(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(repo, 'training', 'cli.mjs'), 'train', ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GLASSDESK_CACHE: tempDir('cache') },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Token ids from the Python tokenizer used in training, for each text. */
export function pythonEncode(modelDir: string, texts: string[]): number[][] {
  const code = [
    'import json, sys',
    'from training.tokenizer import WordPiece',
    'tok = WordPiece.load(sys.argv[1])',
    'texts = json.load(sys.stdin)',
    'print(json.dumps([tok.encode(t) for t in texts]))',
  ].join('\n');
  const r = spawnSync(python(), ['-c', code, modelDir], { cwd: repo, input: JSON.stringify(texts), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}
