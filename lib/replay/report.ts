// The replay's report (`npm run replay`): the bot's stored customer messages of a time window,
// as stored (personal data already masked), run through a candidate model version and the
// active one, and what would change for customers if the candidate were promoted. One schema
// for the printed table, the JSON written with --out, the stored row (ModelReplay.report) and
// the admin's Candidates page, so a report is checked wherever it is read. Browser-safe.
import { z } from 'zod';
import { auditSummarySchema } from '@/lib/audit/report';
import { explanationSchema } from '@/lib/records/explanation';
import { labelField } from '@/lib/records/fields';
import { DECISIONS } from '@/lib/records/turn';

/** Most flip pairs a report lists (the rest are counted in `otherFlips`). */
export const MAX_FLIP_PAIRS = 50;
/** Most groups of flipped messages a report lists (the rest are counted in `flippedGroups`). */
export const MAX_FLIPPED_GROUPS = 200;
/** Groups that carry both versions' explanations unless the run says otherwise (`--explain N`). */
export const DEFAULT_EXPLAINED_GROUPS = 20;
/** Most groups a run may explain (each costs about a second per version). */
export const MAX_EXPLAINED_GROUPS = MAX_FLIPPED_GROUPS;

const finite = z.number().finite();
const share = z.number().min(0).max(1);
const count = z.number().int().min(0);
/** A SHA-256 hex digest: a model version's id (lib/model/versions.ts). */
const hash = z.string().regex(/^[0-9a-f]{64}$/);
const isoDate = z.string().max(40);

/**
 * What the customer gets, as one key (lib/audit/classifier.ts `answerOf`): `answer:<intent>`,
 * `clarify:<intent>`, `handoff` or `unreadable`. A hand-off is the same whatever the model thought.
 */
export const answerKeySchema = z.string().min(1).max(120);

/** One version's decision on one message: the policy's kind, the top intent and its probability. */
export const replayAnswerSchema = z.object({ kind: z.enum(DECISIONS), intent: labelField, p: share });
export type ReplayAnswer = z.infer<typeof replayAnswerSchema>;

export const replayVersionSchema = z.object({
  /** The version's content hash. */
  version: hash,
  /** The model card's name. */
  name: z.string().max(200),
  /** How many labels (intents, out of scope included) the model has. */
  labels: count,
});

const pairSchema = z.object({ from: answerKeySchema, to: answerKeySchema, count: count.min(1) });

/** Messages with a human label and how many each version answers right. */
const labelledCountsSchema = z.object({ messages: count, activeCorrect: count, candidateCorrect: count });

/** Where a version's audit summary came from: its latest stored audit, its folder's audit.json, or its model card's `audit`. */
export const AUDIT_SOURCES = ['stored', 'folder', 'card'] as const;

export const auditDeltaSchema = z.object({
  /** `maxFlipRate`, `flipRate.<type>`, `minDisparateImpact` or `warnings`. */
  metric: z.string().max(80),
  active: finite.nullable(),
  candidate: finite.nullable(),
  /** candidate − active; null when either is missing. */
  delta: finite.nullable(),
});
export type AuditDelta = z.infer<typeof auditDeltaSchema>;

/**
 * Flipped messages that read the same once case, punctuation, whitespace and masked personal
 * data are set aside (lib/replay/grouping.ts `normalizeForGrouping`): one group, answered the
 * same way by each version.
 */
export const flippedGroupSchema = z.object({
  /** A representative message as stored (personal data masked). */
  text: z.string().max(4000),
  /** Flipped messages in the group. */
  messages: count.min(1),
  /** Distinct conversations (customers) that sent them: what the list is sorted by. */
  customers: count.min(1),
  active: replayAnswerSchema,
  candidate: replayAnswerSchema,
  /** The representative's human label, when it has one (see `labelled`). */
  label: labelField.optional(),
  /**
   * The representative explained by each version for its own top intent (lib/explain
   * `explainAll`, about a second each): only the first `settings.explain` groups carry them.
   */
  explanations: z.object({ active: z.array(explanationSchema).max(20), candidate: z.array(explanationSchema).max(20) }).optional(),
});
export type FlippedGroup = z.infer<typeof flippedGroupSchema>;

export const replayReportSchema = z.object({
  schema: z.literal(1),
  botId: z.string().max(100),
  createdAt: isoDate,
  /** The messages replayed: customer messages stored from `from` to `to` (the last `days` days). */
  window: z.object({ days: count.min(1), from: isoDate, to: isoDate }),
  active: replayVersionSchema,
  candidate: replayVersionSchema,
  /** How the run was set up: the most messages it read (null: all in the window) and how many groups it explained. */
  settings: z.object({ limit: count.min(1).nullable(), explain: count }),
  /** Messages replayed. */
  messages: count,
  /** Wall-clock seconds the replay took (models loaded, messages read and predicted, groups explained). */
  seconds: finite.min(0),
  /** Share of messages for which the customer gets the same answer (the same answer key) from both versions; 1 with no messages. */
  agreement: share,
  /** Share of messages whose top intent is the same for both versions, whatever the policy made of it; 1 with no messages. */
  sameTopIntent: share,
  /** Answer changes (active's key → candidate's key), most frequent first, at most MAX_FLIP_PAIRS. */
  flipsByPair: z.array(pairSchema).max(MAX_FLIP_PAIRS),
  /** Flipped messages in the pairs left out of `flipsByPair`. */
  otherFlips: count,
  decisionMix: z.object({
    /** Every decision kind, in the policy's order, with how many messages each version gives it. */
    kinds: z.array(z.object({ kind: z.enum(DECISIONS), active: count, candidate: count })).length(DECISIONS.length),
    /** Messages whose decision kind changes (active → candidate), most frequent first; unchanged kinds are not listed. */
    transitions: z.array(z.object({ from: z.enum(DECISIONS), to: z.enum(DECISIONS), count: count.min(1) })).max(DECISIONS.length * DECISIONS.length),
  }),
  /**
   * Every replayed message with a human label: a review's intent (marked correct or relabelled)
   * first, else the label its resolved hand-off teaches (lib/handoff/rules.ts `trainingLabelOf`, as
   * the training export writes it). A version is correct when, for an out-of-scope label
   * (`Bot.isOutOfScope`), it hands the message off (out of scope or unsure), and otherwise when
   * its top intent is the label. Accuracies are null when no message is labelled.
   */
  labelled: labelledCountsSchema.extend({
    activeAccuracy: share.nullable(),
    candidateAccuracy: share.nullable(),
    bySource: z.object({ review: labelledCountsSchema, handoff: labelledCountsSchema }),
  }),
  /**
   * The behavioural audits (#18) of both versions, as model card summaries: each version's
   * latest stored audit, else its folder's audit.json when made for that folder's model, else
   * its model card's summary; null when it has none (`note` says how to make one).
   */
  audit: z.object({
    active: auditSummarySchema.nullable(),
    candidate: auditSummarySchema.nullable(),
    sources: z.object({ active: z.enum(AUDIT_SOURCES).nullable(), candidate: z.enum(AUDIT_SOURCES).nullable() }),
    deltas: z.array(auditDeltaSchema).max(40),
    note: z.string().max(2000),
  }),
  /** Groups of flipped messages, the most customers first (then the most messages, then the text), at most MAX_FLIPPED_GROUPS. */
  flipped: z.array(flippedGroupSchema).max(MAX_FLIPPED_GROUPS),
  /** Groups of flipped messages in all (listed or not). */
  flippedGroups: count,
});
export type ReplayReport = z.infer<typeof replayReportSchema>;
