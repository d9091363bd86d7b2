import { describe, expect, it } from 'vitest';
import {
  claimRefusal,
  displayNameOf,
  handoffReasonOf,
  isBusy,
  newTopicLabel,
  NEW_TOPIC_PREFIX,
  replyRefusal,
  resolveRefusal,
  snapshotOf,
  trainingLabelOf,
} from '@/lib/handoff/rules';
import { labelField } from '@/lib/records/fields';
import { resolutionSchema } from '@/lib/records/handoff';
import { replyPartsSchema } from '@/lib/records/turn';
import { bundledFacts } from '../support/turns';

const ana = { id: 'ana', role: 'agent' as const };
const ben = { id: 'ben', role: 'agent' as const };
const boss = { id: 'boss', role: 'admin' as const };

describe('which stored reply opens a hand-off', () => {
  it('a policy hand-off with its reason, a request for a person, nothing else', () => {
    expect(handoffReasonOf({ kind: 'handoff', handoffReason: 'out_of_scope' })).toBe('out_of_scope');
    expect(handoffReasonOf({ kind: 'handoff', handoffReason: 'unreadable' })).toBe('unreadable');
    expect(handoffReasonOf({ kind: 'handoff', handoffReason: 'repeated' })).toBe('repeated');
    expect(handoffReasonOf({ kind: 'handoff', handoffReason: 'model_unavailable' })).toBe('unsure');
    expect(handoffReasonOf({ kind: 'handoff' })).toBe('unsure');
    expect(handoffReasonOf({ kind: 'handoff-requested', handoffReason: 'requested' })).toBe('requested');
    expect(handoffReasonOf({ kind: 'handoff-requested' })).toBe('requested');
    for (const kind of ['answer', 'clarify', 'with-agent', 'error'] as const) expect(handoffReasonOf({ kind, handoffReason: 'out_of_scope' })).toBeNull();
  });

  it('the records take the new reasons and the delivery note', () => {
    expect(replyPartsSchema.safeParse({ kind: 'with-agent' }).success).toBe(true);
    expect(replyPartsSchema.safeParse({ kind: 'handoff', handoffReason: 'repeated' }).success).toBe(true);
    expect(replyPartsSchema.safeParse({ kind: 'handoff', handoffReason: 'bored' }).success).toBe(false);
  });

  it('the snapshot keeps the five most probable intents and the text as given', () => {
    const topK = Array.from({ length: 8 }, (_, i) => ({ intent: `i${i}`, probability: (8 - i) / 40 }));
    const snapshot = snapshotOf('as stored', { id: 'p', intent: 'i0', confidence: 0.2, topK, decision: 'handoff' });
    expect(snapshot).toEqual({ text: 'as stored', predictionId: 'p', intent: 'i0', confidence: 0.2, topK: topK.slice(0, 5), decision: 'handoff' });
    expect(snapshotOf('pressed', null)).toEqual({ text: 'pressed', predictionId: null, intent: null, confidence: null, topK: [], decision: null });
  });
});

describe('the busy rule', () => {
  const createdAt = new Date('2026-01-01T10:00:00Z');
  it('is true only for a waiting hand-off past the configured wait', () => {
    expect(isBusy({ status: 'waiting', createdAt }, new Date('2026-01-01T10:02:00Z'), 120)).toBe(false);
    expect(isBusy({ status: 'waiting', createdAt }, new Date('2026-01-01T10:02:00.001Z'), 120)).toBe(true);
    expect(isBusy({ status: 'assigned', createdAt }, new Date('2026-01-02T10:00:00Z'), 120)).toBe(false);
    expect(isBusy({ status: 'resolved', createdAt }, new Date('2026-01-02T10:00:00Z'), 120)).toBe(false);
  });
});

describe('the state machine', () => {
  const waiting = { status: 'waiting' as const, assigneeId: null };
  const anas = { status: 'assigned' as const, assigneeId: 'ana' };
  it('claim: a waiting hand-off, or your own again; someone else’s is a conflict, for admins too', () => {
    expect(claimRefusal(waiting, ana)).toBeNull();
    expect(claimRefusal(anas, ana)).toBeNull();
    expect(claimRefusal(anas, ben)?.status).toBe(409);
    expect(claimRefusal(anas, boss)?.status).toBe(409);
  });
  it('reply and resolve: the assignee or an admin; an agent must claim first', () => {
    for (const rule of [replyRefusal, resolveRefusal]) {
      expect(rule(anas, ana)).toBeNull();
      expect(rule(anas, boss)).toBeNull();
      expect(rule(waiting, boss)).toBeNull();
      expect(rule(anas, ben)?.status).toBe(403);
      expect(rule(waiting, ana)?.status).toBe(409);
    }
  });
});

describe('names and labels', () => {
  it('the customer sees a first name, never the address', () => {
    expect(displayNameOf('ana.lopez@bank.example')).toBe('Ana');
    expect(displayNameOf('BEN_smith+support@bank.example')).toBe('Ben');
    expect(displayNameOf('42.zoë@bank.example')).toBe('Zoë');
    expect(displayNameOf('12345@bank.example')).toBe('Support');
    expect(displayNameOf(`${'a'.repeat(200)}@bank.example`)).toHaveLength(30);
  });

  it('a new topic’s label is a valid model label, prefixed, stable, and never one of the model’s own', () => {
    const labels = new Set(bundledFacts().labels);
    const names = ['Crypto wallets', 'Crédit immobilier', '  crypto   WALLETS!! ', 'Überweisung ins Ausland', '加密钱包', 'مرحبا', '•••@••••.example', 'x'.repeat(100)];
    for (const name of names) {
      const label = newTopicLabel(name);
      expect(label.startsWith(NEW_TOPIC_PREFIX), name).toBe(true);
      expect(labelField.safeParse(label).success, name).toBe(true);
      expect(labels.has(label), name).toBe(false);
      expect(label.length).toBeLessThanOrEqual(NEW_TOPIC_PREFIX.length + 60);
    }
    expect(newTopicLabel('Crypto wallets')).toBe('new_topic.crypto_wallets');
    expect(newTopicLabel('  crypto   WALLETS!! ')).toBe('new_topic.crypto_wallets');
    expect(newTopicLabel('Crédit immobilier')).toBe('new_topic.credit_immobilier');
    // Names with no Latin letters get a hash each: two such names never share a label.
    expect(newTopicLabel('加密钱包')).not.toBe(newTopicLabel('مرحبا'));
    expect(newTopicLabel('加密钱包')).toBe(newTopicLabel('加密钱包'));
  });

  it('the training label of each resolution', () => {
    expect(trainingLabelOf({ resolution: 'intent', resolutionIntent: 'card_arrival', resolutionTopic: null }, 'oos')).toBe('card_arrival');
    expect(trainingLabelOf({ resolution: 'new_topic', resolutionIntent: null, resolutionTopic: 'Crypto wallets' }, 'oos')).toBe('new_topic.crypto_wallets');
    expect(trainingLabelOf({ resolution: 'not_support', resolutionIntent: null, resolutionTopic: null }, 'oos')).toBe('oos');
  });

  it('the resolution body takes exactly the three shapes', () => {
    expect(resolutionSchema.safeParse({ resolution: 'intent', intent: 'card_arrival' }).success).toBe(true);
    expect(resolutionSchema.safeParse({ resolution: 'intent', intent: 'not a label!' }).success).toBe(false);
    expect(resolutionSchema.safeParse({ resolution: 'new_topic', topic: '   ' }).success).toBe(false);
    expect(resolutionSchema.safeParse({ resolution: 'new_topic', topic: 'x'.repeat(101) }).success).toBe(false);
    expect(resolutionSchema.safeParse({ resolution: 'not_support' }).success).toBe(true);
    expect(resolutionSchema.safeParse({ resolution: 'spam' }).success).toBe(false);
  });
});
