import { describe, expect, it } from 'vitest';
import type { AgentConversation } from '@/lib/ingest/handoff-service';
import type { RestoredMessage } from '@/lib/records/turn';
import { formatWait } from '@/lib/ui/admin/format';
import { readSnapshot, timelineOf } from '@/lib/ui/admin/handoff-conversation';

const turn = (seq: number, createdAt: string): RestoredMessage => ({
  id: `m${seq}`,
  seq,
  role: seq % 2 ? 'assistant' : 'user',
  text: `turn ${seq}`,
  parts: null,
  prediction: null,
  feedback: null,
  createdAt,
});
const agent = (id: string, createdAt: string): AgentConversation['agentMessages'][number] => ({ id, text: id, createdAt, author: { displayName: 'Sam', id: 'u1', email: 'sam@bank.example' } });

describe('the agent’s conversation view', () => {
  it('interleaves the team’s messages with the turns by stored time, turns first on a tie', () => {
    const lines = timelineOf({
      messages: [turn(0, '2026-01-01T10:00:00.000Z'), turn(1, '2026-01-01T10:00:00.000Z'), turn(2, '2026-01-01T10:03:00.000Z'), turn(3, '2026-01-01T10:03:00.000Z')],
      agentMessages: [agent('a2', '2026-01-01T10:04:00.000Z'), agent('a1', '2026-01-01T10:01:00.000Z'), agent('a0', '2026-01-01T10:03:00.000Z')],
    });
    expect(lines.map((line) => line.message.id)).toEqual(['m0', 'm1', 'a1', 'm2', 'm3', 'a0', 'a2']);
  });

  it('reads the stored evidence defensively', () => {
    expect(readSnapshot(null)).toEqual({ text: null, predictionId: null, topK: [], summary: null });
    expect(
      readSnapshot({
        text: 'hello',
        predictionId: 'p1',
        summary: 42,
        topK: [{ intent: 'oos', probability: 0.9 }, { intent: 'x', probability: 'high' }, { intent: 'y', probability: 7 }, null, { intent: 'z', probability: Number.NaN }],
      }),
    ).toEqual({ text: 'hello', predictionId: 'p1', summary: null, topK: [{ intent: 'oos', probability: 0.9 }, { intent: 'y', probability: 1 }] });
  });

  it('says a wait as a person would', () => {
    expect([0, 59, 60, 3599, 3600, 4800, 86_400, 90_000, -5].map(formatWait)).toEqual(['0 s', '59 s', '1 min', '59 min', '1 h', '1 h 20 min', '1 d', '1 d 1 h', '0 s']);
  });
});
