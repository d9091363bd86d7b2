import type { DecisionKind } from '@/lib/records/turn';

export const percent = (value: number | null | undefined, digits = 0) => (value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)} %`);

export const dateTime = (value: Date) => value.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

export const REVIEW_LABELS = { unreviewed: 'Unreviewed', correct: 'Correct', relabelled: 'Relabelled', flagged: 'Flagged' } as const;
export const VERIFICATION_LABELS = { pending: 'Pending', verified: 'Verified', mismatch: 'Mismatch', failed: 'Failed' } as const;

/** The policy's decisions as an operator reads them; `unreadable` is not an out-of-scope hand-off. */
export const DECISION_LABELS: Readonly<Record<DecisionKind, string>> = {
  answer: 'Answer',
  clarify: 'Clarify',
  handoff: 'Hand-off',
  unreadable: 'Could not read (language)',
};

export const decisionLabel = (decision: string) => (Object.hasOwn(DECISION_LABELS, decision) ? DECISION_LABELS[decision as DecisionKind] : decision);

/** Why the bot handed a conversation to a person, as the team reads it. */
export const HANDOFF_REASON_LABELS: Readonly<Record<string, string>> = {
  requested: 'Asked for a person',
  out_of_scope: 'Out of scope',
  unsure: 'Bot unsure',
  unreadable: 'Language the bot cannot read',
  repeated: 'Customer repeated themselves',
};

export const handoffReasonLabel = (reason: string) => HANDOFF_REASON_LABELS[reason] ?? reason;

/** A wait as a person says it: "45 s", "3 min", "1 h 20 min", "2 d 3 h". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** The inbox's views, as the inbox route names them (`status`). */
export const INBOX_VIEWS = [
  { status: 'waiting', label: 'Waiting' },
  { status: 'mine', label: 'Mine' },
  { status: 'assigned', label: 'Assigned' },
] as const;
export type InboxView = (typeof INBOX_VIEWS)[number]['status'];
