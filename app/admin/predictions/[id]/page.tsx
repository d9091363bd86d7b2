import type { Metadata } from 'next';
import Link from 'next/link';
import { intentNames, labelOf as labelsFor, reviewIntents } from '@/lib/admin/intents';
import { requireAdminPage } from '@/lib/auth/session';
import { predictionDetail } from '@/lib/admin/predictions';
import { riskScore } from '@/lib/admin/risk';
import { dateTime, decisionLabel, percent, REVIEW_LABELS } from '@/lib/ui/admin/format';
import { FeedbackBadge } from '@/lib/ui/admin/feedback-badge';
import { ReviewPanel } from '@/lib/ui/admin/review-panel';
import { pageRecord } from '@/lib/ui/admin/page-record';
import { AdminShell } from '@/lib/ui/admin/shell';
import { StoredExplanations } from '@/lib/ui/admin/stored-explanations';
import { StoredWhyPanel } from '@/lib/ui/admin/stored-why-panel';
import { VerificationBadge } from '@/lib/ui/admin/verification-badge';
import { VerificationPanel } from '@/lib/ui/admin/verification-panel';
import { VisitorText } from '@/lib/ui/text';
import { UnreadableNote } from '@/lib/ui/unreadable-note';
import { shortVersion } from '@/lib/bot/registry';
import { activeBot } from '@/lib/verify/bots';
import { predictionModel } from '@/lib/admin/candidates';

export const metadata: Metadata = { title: 'Prediction' };

/** Where the ONNX runtime's files are served (the folder names its version): the browser runs the bot's model for contrasts. */
const runtimePath = `/ort/${process.env.NEXT_PUBLIC_ORT_VERSION}/`;

export default async function PredictionPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireAdminPage();
  const detail = await pageRecord((await params).id, predictionDetail);
  const bot = await activeBot(detail.botId);
  const labelOf = await labelsFor(bot.id);
  const intents = await reviewIntents(bot.id);
  // An operator may compare the answer with any other intent when the version the prediction names is stored, not retired, and knows the answer.
  const model = await predictionModel(bot.id, detail.modelVersion);
  const labels = model.kind === 'stored' ? model.labels : [];
  const contrasts =
    model.kind === 'stored' && detail.decision !== 'unreadable' && labels.includes(detail.intent)
      ? { predictionId: detail.id, csrfToken: session.csrfToken, bot: bot.id, version: model.version, runtimePath, labels }
      : undefined;
  const retiredVersion = model.kind === 'retired' ? { version: model.version, retiredAt: dateTime(model.retiredAt), reason: model.reason } : undefined;
  const facts: [string, React.ReactNode][] = [
    ['Time', dateTime(detail.createdAt)],
    ['Intent', <span key="i" data-testid="detail-intent">{labelOf(detail.intent)} <code className="text-xs text-slate-500">{detail.intent}</code></span>],
    ['Confidence', percent(detail.confidence, 1)],
    ['Decision', decisionLabel(detail.decision)],
    ['Backend', detail.backend],
    ['Bot', bot.content ? bot.displayName : <span key="b" data-testid="detail-unknown-bot">{bot.id} (no answers for this bot here: intents are shown by their names)</span>],
    ['Model', <span key="m" title={detail.modelVersion}>{detail.modelId} {shortVersion(detail.modelVersion)}</span>],
    ['Inference time', `${detail.latencyMs.toFixed(1)} ms`],
    ['Explanation time', detail.explanationTimings.length ? detail.explanationTimings.map((t) => `${t.method} ${t.durationMs.toFixed(0)} ms`).join(', ') : '—'],
    ['Verification', <VerificationBadge key="v" verification={detail.verification} />],
    ['Lowest faithfulness', detail.minFaithfulness === null ? '—' : `${detail.minFaithfulness.toFixed(3)}${detail.methodsDisagree ? ' · methods disagree' : ''}`],
    ['Review', <span key="r" data-testid="detail-review-status">{REVIEW_LABELS[detail.reviewStatus]}{detail.reviewedIntent ? ` → ${labelOf(detail.reviewedIntent)}` : ''}</span>],
    ['Risk score', riskScore(detail).toFixed(2)],
  ];
  return (
    <AdminShell session={session} current={null}>
      <p className="text-sm">
        <Link href="/admin" className="text-brand-700 hover:underline">← Log</Link>
      </p>
      <h1 className="mt-2 text-xl font-semibold break-words text-brand-900" data-testid="detail-message">
        “<VisitorText text={detail.text} showControls />”
      </h1>
      <div className="mt-4 grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]">
        <div className="min-w-0 space-y-6">
          <section aria-labelledby="facts-heading" className="rounded-xl border border-slate-200 bg-white p-4">
            <h2 id="facts-heading" className="font-semibold text-brand-900">Prediction</h2>
            <dl className="mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
              {facts.map(([term, value]) => (
                <div key={term} className="contents">
                  <dt className="text-slate-500">{term}</dt>
                  <dd className="break-words">{value}</dd>
                </div>
              ))}
            </dl>
            <h3 className="mt-4 text-sm font-semibold">Most probable intents</h3>
            <ol className="mt-1 text-sm">
              {detail.topK.map((entry) => (
                <li key={entry.intent} className="flex justify-between gap-4">
                  <span className="min-w-0 break-words">{labelOf(entry.intent)}</span>
                  <span className="font-mono">{percent(entry.probability, 1)}</span>
                </li>
              ))}
            </ol>
          </section>
          <VerificationPanel
            verification={detail.verification}
            reported={{ intent: detail.intent, confidence: detail.confidence, backend: detail.backend, modelVersion: detail.modelVersion }}
            server={{ intent: detail.verifiedIntent, confidence: detail.verifiedConfidence, at: detail.verifiedAt, reason: detail.verificationReason }}
            labelOf={labelOf}
          />
          <ReviewPanel predictionId={detail.id} csrfToken={session.csrfToken} intent={detail.intent} intents={intents} runnersUp={detail.topK.map((entry) => (bot.isOutOfScope(entry.intent) ? bot.reviewOutOfScopeLabel : entry.intent))} />
          <section aria-labelledby="history-heading" className="rounded-xl border border-slate-200 bg-white p-4">
            <h2 id="history-heading" className="font-semibold text-brand-900">Review history</h2>
            {detail.reviews.length === 0 ? <p className="mt-1 text-sm text-slate-500">Not reviewed yet.</p> : null}
            <ul className="mt-2 space-y-1 text-sm" data-testid="review-history">
              {detail.reviews.map((review) => (
                <li key={review.id} data-testid="review-entry">
                  <span className="font-medium">{review.action}</span>
                  {review.intent ? ` → ${labelOf(review.intent)}` : ''}
                  {review.note ? (
                    <>
                      {' — “'}
                      <VisitorText text={review.note} showControls />”
                    </>
                  ) : null}
                  <span className="text-slate-500"> by {review.reviewer}, {dateTime(review.createdAt)}</span>
                </li>
              ))}
            </ul>
          </section>
        </div>
        <div className="min-w-0 space-y-6">
          <section aria-labelledby="conversation-heading" className="rounded-xl border border-slate-200 bg-white p-4">
            <h2 id="conversation-heading" className="font-semibold text-brand-900">Conversation</h2>
            <ol className="mt-2 space-y-2" data-testid="detail-conversation">
              {detail.conversation.map((line) => (
                <li
                  key={line.id}
                  className={`max-w-[85%] rounded-xl px-3 py-2 text-sm break-words ${line.role === 'user' ? 'ml-auto bg-brand-600 text-white' : 'bg-slate-100'} ${line.id === detail.messageId ? 'ring-4 ring-amber-300' : ''}`}
                  aria-current={line.id === detail.messageId ? 'true' : undefined}
                >
                  <span className="sr-only">{line.role === 'user' ? 'Visitor: ' : 'Bot: '}</span>
                  {line.predictionId && line.id !== detail.messageId ? (
                    <Link href={`/admin/predictions/${line.predictionId}`} className="underline decoration-white/50">
                      <VisitorText text={line.text} showControls />
                    </Link>
                  ) : (
                    <VisitorText text={line.text} showControls />
                  )}
                  {line.feedback ? (
                    <span className="ml-2">
                      <FeedbackBadge helpful={line.feedback.helpful} />
                      {line.feedback.comment ? (
                        <>
                          {' “'}
                          <VisitorText text={line.feedback.comment} showControls />”
                        </>
                      ) : null}
                    </span>
                  ) : null}
                </li>
              ))}
            </ol>
          </section>
          <section aria-labelledby="why-heading" className="rounded-xl border border-slate-200 bg-white p-4">
            <h2 id="why-heading" className="font-semibold text-brand-900">Why this answer? (as stored)</h2>
            <div className="mt-2">
              {detail.decision === 'unreadable' ? <UnreadableNote language={bot.language} /> : null}
              {detail.explanations.length || contrasts || retiredVersion ? (
                <StoredWhyPanel
                  text={detail.text}
                  intentNames={await intentNames(bot.id, [detail.intent, ...detail.topK.map((entry) => entry.intent)])}
                  explanations={detail.explanations}
                  prediction={{ intent: detail.intent, confidence: detail.confidence, topK: detail.topK }}
                  storedAt={dateTime(detail.createdAt)}
                  backend={detail.backend}
                  contrasts={contrasts}
                  retiredVersion={retiredVersion}
                />
              ) : null}
              <details className="mt-4">
                <summary className="cursor-pointer text-sm text-slate-600">Stored objects, method by method</summary>
                <div className="mt-2">
                  <StoredExplanations explanations={detail.explanations} labelOf={labelOf} />
                </div>
              </details>
            </div>
          </section>
        </div>
      </div>
    </AdminShell>
  );
}
