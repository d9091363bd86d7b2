export const percent = (value: number | null | undefined, digits = 0) => (value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)} %`);

export const dateTime = (value: Date) => value.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

export const REVIEW_LABELS = { unreviewed: 'Unreviewed', correct: 'Correct', relabelled: 'Relabelled', flagged: 'Flagged' } as const;
export const VERIFICATION_LABELS = { pending: 'Pending', verified: 'Verified', mismatch: 'Mismatch', failed: 'Failed' } as const;
