import { shortVersion } from '@/lib/bot/registry';
import { dateTime, percent } from './format';
import { VerificationBadge } from './verification-badge';

type Props = {
  verification: 'pending' | 'verified' | 'mismatch' | 'failed';
  reported: { intent: string; confidence: number; backend: string; modelVersion: string };
  /** `reason`: why the check did not pass, in the server's words (one clause), when it says. */
  server: { intent: string | null; confidence: number | null; at: Date | null; reason: string | null };
  labelOf: (intent: string) => string;
};

const SUMMARY: Record<Props['verification'], string> = {
  pending: 'The server has not re-run the model on this message yet.',
  verified: 'The server re-ran the model version the record names on the message as typed and got the same intent, figures and decision.',
  mismatch:
    'What the browser reported is not what the model says: the server’s run of the version the record names gave another intent, confidence, top intents or decision, or the record names a bot the server has no model for.',
  failed:
    'The server could not re-run the model version the record names: the version is not stored or was retired, its model could not load or run, or only the redacted text is left.',
};

/** What the browser reported next to what the server's own run of the model gave. */
export function VerificationPanel({ verification, reported, server, labelOf }: Props) {
  const intent = (value: string | null) =>
    value === null ? <span className="text-slate-500">no server result</span> : (
      <>
        {labelOf(value)} <code className="text-xs text-slate-500">{value}</code>
      </>
    );
  return (
    <section aria-labelledby="verification-heading" className={`rounded-xl border bg-white p-4 ${verification === 'mismatch' ? 'border-red-700 border-2' : 'border-slate-200'}`} data-testid="verification-panel">
      <h2 id="verification-heading" className="flex items-center gap-2 font-semibold text-brand-900">
        Server check <VerificationBadge verification={verification} />
      </h2>
      <p className="mt-1 text-sm text-slate-700">{SUMMARY[verification]}</p>
      {server.reason && verification !== 'verified' && verification !== 'pending' ? (
        <p className="mt-1 text-sm break-words text-slate-900" data-testid="verification-reason">
          <span className="font-medium">Why: </span>
          {/[.!?…]$/.test(server.reason) ? server.reason : `${server.reason}.`}
        </p>
      ) : null}
      <table className="mt-2 w-full text-sm">
        <thead>
          <tr className="text-left text-slate-500">
            <th scope="col" className="py-1 font-medium"><span className="sr-only">Result</span></th>
            <th scope="col" className="py-1 font-medium">Intent</th>
            <th scope="col" className="py-1 text-right font-medium">Confidence</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="verification-reported">
            <th scope="row" className="py-1 pr-3 text-left font-medium">
              Browser reported{' '}
              <span className="block text-xs font-normal text-slate-500">
                {reported.backend}, model <span title={reported.modelVersion}>{shortVersion(reported.modelVersion)}</span>
              </span>
            </th>
            <td className="py-1">{intent(reported.intent)}</td>
            <td className="py-1 text-right font-mono">{percent(reported.confidence, 1)}</td>
          </tr>
          <tr data-testid="verification-server">
            <th scope="row" className="py-1 pr-3 text-left font-medium">
              Server’s run <span className="block text-xs font-normal text-slate-500">{server.at ? dateTime(server.at) : 'not run'}</span>
            </th>
            <td className="py-1">{intent(server.intent)}</td>
            <td className="py-1 text-right font-mono">{percent(server.confidence, 1)}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
