// The replay's reading of stored messages (lib/db/queries/replays.ts): the window's classified
// customer messages of one bot, newest first, page by page with a keyset cursor that neither
// skips nor repeats a message when many were stored in the same millisecond.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db/client';
import { countReplayMessages, iterateReplayMessages, MAX_REPLAY_PAGE, replayMessagePage } from '@/lib/db/queries/replays';
import { testProviders, withScratchDatabase } from '../support/databases';

const NOW = new Date('2026-11-20T12:00:00Z');
const SECOND = 1000;
const window = { from: new Date(NOW.getTime() - 3600 * SECOND), to: NOW };

type Row = { id: string; createdAt: Date };

describe.each(testProviders)('replay messages (%s)', (provider) => {
  withScratchDatabase(provider);
  /** Every message the window should yield, newest first (createdAt, then id, descending). */
  let expected: Row[];

  beforeAll(async () => {
    const conversations: { id: string; botId: string; createdAt: Date; updatedAt: Date }[] = [];
    const messages: { id: string; conversationId: string; seq: number; role: 'user' | 'assistant'; text: string; createdAt: Date }[] = [];
    const predictions: { id: string; messageId: string; modelId: string; modelVersion: string; intent: string; confidence: number; topK: object; decision: 'answer'; backend: 'wasm'; latencyMs: number }[] = [];
    const wanted: Row[] = [];
    const add = (botId: string, createdAt: Date, options: { role?: 'user' | 'assistant'; predicted?: boolean } = {}) => {
      const conversationId = randomUUID();
      conversations.push({ id: conversationId, botId, createdAt, updatedAt: createdAt });
      const id = randomUUID();
      messages.push({ id, conversationId, seq: 0, role: options.role ?? 'user', text: `message ${messages.length}`, createdAt });
      if (options.predicted !== false) predictions.push({ id: randomUUID(), messageId: id, modelId: botId, modelVersion: 'v', intent: 'card_arrival', confidence: 0.9, topK: [], decision: 'answer', backend: 'wasm', latencyMs: 1 });
      return { id, createdAt };
    };
    // 2 000 messages over 40 distinct milliseconds: fifty share each one, across page boundaries.
    for (let i = 0; i < 2000; i++) wanted.push(add('banking77', new Date(NOW.getTime() - (i % 40) * SECOND)));
    // Both ends of the window are in it.
    wanted.push(add('banking77', window.from), add('banking77', window.to));
    // Not replayed: before or after the window, another bot, a bot reply, a message the model never classified.
    add('banking77', new Date(window.from.getTime() - 1));
    add('banking77', new Date(window.to.getTime() + 1));
    add('bank-zh', NOW);
    add('banking77', NOW, { role: 'assistant' });
    add('banking77', NOW, { predicted: false });
    for (let i = 0; i < messages.length; i += 500) {
      await db().conversation.createMany({ data: conversations.slice(i, i + 500) });
      await db().message.createMany({ data: messages.slice(i, i + 500) });
    }
    for (let i = 0; i < predictions.length; i += 500) await db().prediction.createMany({ data: predictions.slice(i, i + 500) });
    // The database's own order of the same rows, read at once (ties in time by id, in the database's collation).
    const ids = new Set(wanted.map((row) => row.id));
    const ordered = await db().message.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], select: { id: true, createdAt: true } });
    expected = ordered.filter((row) => ids.has(row.id));
    expect(expected).toHaveLength(wanted.length);
  });

  async function read(options: { limit?: number; pageSize?: number }) {
    const pages: Row[][] = [];
    for await (const page of iterateReplayMessages('banking77', window, options)) pages.push(page.map(({ id, createdAt }) => ({ id, createdAt })));
    return pages;
  }

  it('counts the window', async () => {
    expect(await countReplayMessages('banking77', window)).toBe(expected.length);
  });

  it('reads every message once, newest first, whatever the page size', async () => {
    for (const pageSize of [7, 50, MAX_REPLAY_PAGE]) {
      const pages = await read({ pageSize });
      const flat = pages.flat();
      expect(flat, `pages of ${pageSize}`).toEqual(expected);
      expect(new Set(flat.map((row) => row.id)).size).toBe(expected.length);
      expect(flat.every((row, i) => i === 0 || row.createdAt <= flat[i - 1]!.createdAt)).toBe(true);
      expect(pages.slice(0, -1).every((page) => page.length === pageSize)).toBe(true);
      expect(pages.length).toBe(Math.ceil(expected.length / pageSize));
    }
    // More than a page may hold is read as the most it may.
    expect((await read({ pageSize: 5000 }))[0]).toHaveLength(MAX_REPLAY_PAGE);
    await expect(replayMessagePage('banking77', window, null, MAX_REPLAY_PAGE + 1)).rejects.toThrow(RangeError);
  });

  it('stops at the limit: the newest messages', async () => {
    expect((await read({ limit: 123, pageSize: 50 })).flat()).toEqual(expected.slice(0, 123));
    expect((await read({ limit: 100, pageSize: 50 })).map((page) => page.length)).toEqual([50, 50]);
  });
});
