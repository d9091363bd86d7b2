import type { Metadata } from 'next';
import Link from 'next/link';
import { intentNames, reviewIntents } from '@/lib/admin/intents';
import { requireAdminPage } from '@/lib/auth/session';
import { agentConversation } from '@/lib/ingest/handoff-service';
import { HandoffConversation } from '@/lib/ui/admin/handoff-conversation';
import { pageRecord } from '@/lib/ui/admin/page-record';
import { AdminShell } from '@/lib/ui/admin/shell';

export const metadata: Metadata = { title: 'Conversation' };

export default async function InboxConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireAdminPage();
  const conversation = await pageRecord((await params).id, agentConversation);
  return (
    <AdminShell session={session} current="inbox">
      <p className="text-sm">
        <Link href="/admin/inbox" className="text-brand-700 hover:underline">
          ← Inbox
        </Link>
      </p>
      <h1 className="mt-2 mb-4 text-xl font-semibold text-brand-900">Conversation with a customer</h1>
      <HandoffConversation
        initial={conversation}
        csrfToken={session.csrfToken}
        me={{ id: session.user.id, role: session.user.role }}
        intentNames={await intentNames(conversation.botId)}
        intents={await reviewIntents(conversation.botId)}
      />
    </AdminShell>
  );
}
