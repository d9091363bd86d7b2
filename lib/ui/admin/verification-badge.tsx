import { VERIFICATION_LABELS } from './format';

type Verification = keyof typeof VERIFICATION_LABELS;

const STYLES: Record<Verification, string> = {
  pending: 'bg-slate-100 text-slate-700',
  verified: 'bg-emerald-100 text-emerald-900',
  mismatch: 'bg-red-700 text-white',
  failed: 'bg-amber-100 text-amber-900',
};

const MEANINGS: Record<Verification, string> = {
  pending: 'The server has not re-run the model on this message yet.',
  verified: 'The server’s run of the model gave the intent the browser reported.',
  mismatch: 'The server’s run of the model gave another intent than the browser reported.',
  failed: 'The server could not re-run the model (another model version, or no model for this bot).',
};

/**
 * The server's check of a reported prediction, in words (a mismatch also carries a warning
 * sign and strong contrast, so it stands out in a long log without relying on colour).
 */
export function VerificationBadge({ verification }: { verification: Verification }) {
  return (
    <span
      className={`inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${STYLES[verification]}`}
      title={MEANINGS[verification]}
      data-verification={verification}
      data-testid="verification-badge"
    >
      {verification === 'mismatch' ? <span aria-hidden="true">⚠ </span> : null}
      {VERIFICATION_LABELS[verification]}
    </span>
  );
}
