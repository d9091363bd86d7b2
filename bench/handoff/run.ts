// The hand-off's two costs, on SQLite and PostgreSQL (issue goals: delivery p95 ≤ 3 s, inbox ≤ 100 ms):
//   npx tsx --conditions react-server bench/handoff/run.ts [--conversations 50] [--messages 4] [--poll-ms 1500]
//       [--inbox-count 100000] [--runs 5] [--backends sqlite,postgresql]
// 1. Delivery: the production build serves `--conversations` handed-off, claimed conversations
//    whose chats all poll `GET /api/conversations/:id/updates` every `--poll-ms` as the chat does;
//    an agent posts `--messages` replies into each, at random moments; the time from the agent's
//    post to the poll that returns the message, per message.
// 2. Inbox: the inbox, its count, an agent's own list and the customer's poll, timed on a
//    database of `--inbox-count` conversations (a fifth of them handed off at some point).
// PostgreSQL runs on TEST_POSTGRES_URL's server, else a throwaway one; skipped when neither is there.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Prisma } from '@/lib/generated/sqlite/client';
import { createAdminUser, createSession, type AdminSessionInfo } from '@/lib/auth/admins';
import { connectDatabase, db } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { conversationUpdates, inbox, inboxCount } from '@/lib/ingest/handoff-service';
import { classifiedTurn, classifierFacts } from '../../tests/support/turns';
import { percentile, printTable, startProductionServer } from '../support/server.mjs';
import { scratchPostgresDatabase } from '../support/postgres.mjs';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '50' },
    messages: { type: 'string', default: '4' },
    'poll-ms': { type: 'string', default: '1500' },
    'inbox-count': { type: 'string', default: '100000' },
    runs: { type: 'string', default: '5' },
    backends: { type: 'string', default: 'sqlite,postgresql' },
  },
});
const CONVERSATIONS = Number(values.conversations);
const MESSAGES = Number(values.messages);
const POLL_MS = Number(values['poll-ms']);
const INBOX_COUNT = Number(values['inbox-count']);
const RUNS = Number(values.runs);
const OUT_OF_SCOPE = classifierFacts().outOfScopeLabel!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;

type Database = { url: string; drop(): Promise<void> };

/** A signed-in agent as the pages hold it: the production server's session cookie and the session's CSRF token. */
async function agentSession(baseUrl: string, email: string) {
  const { id } = await createAdminUser(email, 'a bench password, long enough', 'agent');
  const { token, csrfToken } = await createSession(id);
  return { headers: { cookie: `__Host-glassdesk-admin=${token}`, origin: baseUrl, 'x-csrf-token': csrfToken, 'content-type': 'application/json' } };
}

async function post(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response;
}

async function delivery(backend: string, database: Database | null) {
  const server = await startProductionServer({ env: { CHAT_RATE_LIMIT_PER_MINUTE: '100000000', VERIFY_PREDICTIONS: 'off', ...(database ? { DATABASE_URL: database.url } : {}) } });
  const databaseUrl = database?.url ?? `file:${path.join(server.dataDir, 'bench.db')}`;
  try {
    await connectDatabase(databaseUrl);
    const agent = await agentSession(server.url, `bench-agent-${randomUUID().slice(0, 8)}@bank.example`);
    const conversations = Array.from({ length: CONVERSATIONS }, () => randomUUID());
    for (const conversationId of conversations) {
      await post(`${server.url}/api/turns`, classifiedTurn({ conversationId, text: 'can you book me a table for two', intent: OUT_OF_SCOPE, confidence: 0.9 }));
      await post(`${server.url}/api/admin/conversations/${conversationId}/claim`, {}, agent.headers);
    }
    // Every chat polls as the chat does, each starting at a random phase.
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const pollTimes: number[] = [];
    const expected = CONVERSATIONS * MESSAGES;
    let stop = false;
    // Each chat from an address of its own, as customers are: the poll's rate-limit bucket is per address.
    const poller = async (conversationId: string, index: number) => {
      const headers = { 'x-forwarded-for': `198.51.100.${index + 1}` };
      let after = new Date(0).toISOString();
      await sleep(Math.random() * POLL_MS);
      while (!stop) {
        const started = performance.now();
        const response = await fetch(`${server.url}/api/conversations/${conversationId}/updates?after=${encodeURIComponent(after)}`, { headers });
        const body = (await response.json()) as { agentMessages: { id: string; text: string }[] };
        const now = performance.now();
        pollTimes.push(now - started);
        if (!response.ok) throw new Error(`poll: ${response.status} ${JSON.stringify(body)}`);
        for (const message of body.agentMessages) {
          latencies.push(now - sentAt.get(message.text)!);
          after = message.id;
        }
        await sleep(Math.max(0, POLL_MS - (performance.now() - started)));
      }
    };
    const polls = conversations.map(poller);
    const load = os.loadavg()[0]!.toFixed(1);
    const sendStarted = performance.now();
    // The agents send at random moments over the run: one message every POLL_MS / CONVERSATIONS × 2 on average.
    const order = conversations.flatMap((id) => Array.from({ length: MESSAGES }, () => id)).sort(() => Math.random() - 0.5);
    for (const [index, conversationId] of order.entries()) {
      const text = `reply ${index} ${randomUUID()}`;
      sentAt.set(text, performance.now());
      await post(`${server.url}/api/admin/conversations/${conversationId}/messages`, { text }, agent.headers);
      await sleep(Math.random() * ((4 * POLL_MS) / CONVERSATIONS));
    }
    const deadline = performance.now() + 30_000;
    while (latencies.length < expected && performance.now() < deadline) await sleep(50);
    const sendSeconds = (performance.now() - sendStarted) / 1000;
    stop = true;
    await Promise.all(polls);
    const stored = await db().agentMessage.count();
    return [
      backend,
      CONVERSATIONS,
      `${latencies.length}/${expected} (${stored} stored)`,
      ms(percentile(latencies, 50)),
      ms(percentile(latencies, 95)),
      ms(Math.max(...latencies)),
      ms(percentile(pollTimes, 50)),
      ms(percentile(pollTimes, 95)),
      `${(pollTimes.length / sendSeconds).toFixed(0)}/s`,
      load,
    ];
  } finally {
    await server.stop();
  }
}

/**
 * `count` conversations of one user message each, a fifth of them handed off: most resolved, some
 * waiting, some assigned (a few to the timed agent). Multi-row inserts, a thousand rows a statement.
 */
async function seedConversations(count: number, agentId: string, otherId: string) {
  const start = Date.now() - 30 * 86_400_000;
  const step = (30 * 86_400_000) / count;
  for (let from = 0; from < count; from += 1000) {
    const conversations: Prisma.Sql[] = [];
    const messages: Prisma.Sql[] = [];
    const handoffs: Prisma.Sql[] = [];
    for (let i = from; i < Math.min(count, from + 1000); i++) {
      const at = new Date(start + i * step);
      const id = randomUUID();
      const messageId = randomUUID();
      const handedOff = i % 5 === 0;
      const state = !handedOff ? null : i % 50 === 0 ? 'waiting' : i % 35 === 0 ? 'assigned' : 'resolved';
      const status = state === null || state === 'resolved' ? 'bot' : state;
      conversations.push(Prisma.sql`(${id}, 'banking77', ${at}, ${at}, ${status})`);
      messages.push(Prisma.sql`(${messageId}, ${id}, 0, 'user', ${`message ${i}`}, ${at})`);
      if (state) {
        const assignee = state === 'waiting' ? null : i % 3 === 0 ? agentId : otherId;
        handoffs.push(
          Prisma.sql`(${randomUUID()}, ${id}, ${state === 'resolved' ? null : id}, 'out_of_scope', ${messageId}, ${JSON.stringify({ text: `message ${i}`, topK: [] })},
            ${state}, ${assignee}, ${at}, ${state === 'resolved' ? 'not_support' : null})`,
        );
      }
    }
    await db().$transaction([
      db().$executeRaw`INSERT INTO "Conversation" ("id", "botId", "createdAt", "updatedAt", "status") VALUES ${Prisma.join(conversations)}`,
      db().$executeRaw`INSERT INTO "Message" ("id", "conversationId", "seq", "role", "text", "createdAt") VALUES ${Prisma.join(messages)}`,
      ...(handoffs.length
        ? [db().$executeRaw`INSERT INTO "Handoff" ("id", "conversationId", "openConversationId", "reason", "triggerMessageId", "snapshot", "status", "assigneeId", "createdAt", "resolution") VALUES ${Prisma.join(handoffs)}`]
        : []),
    ]);
  }
}

async function timed(work: () => Promise<unknown>): Promise<{ median: number; worst: number }> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return { median: percentile(times, 50), worst: Math.max(...times) };
}

async function inboxQueries(backend: string, databaseUrl: string) {
  await migrateDatabase(databaseUrl);
  await connectDatabase(databaseUrl);
  const agent = await createAdminUser(`bench-inbox-${randomUUID().slice(0, 8)}@bank.example`, 'a bench password, long enough', 'agent');
  const other = await createAdminUser(`bench-other-${randomUUID().slice(0, 8)}@bank.example`, 'a bench password, long enough', 'agent');
  const started = performance.now();
  await seedConversations(INBOX_COUNT, agent.id, other.id);
  const seeded = ((performance.now() - started) / 1000).toFixed(0);
  const session: AdminSessionInfo = { user: { id: agent.id, email: 'bench@bank.example', role: 'agent' }, sessionId: '', csrfToken: '', expiresAt: new Date() };
  const waiting = await inbox({ status: 'waiting', page: 1 }, session);
  const someWaiting = waiting.rows[0]!.conversationId;
  const queries: [string, () => Promise<unknown>][] = [
    [`inbox, waiting, page 1 (${waiting.total} waiting)`, () => inbox({ status: 'waiting', page: 1 }, session)],
    [`inbox, waiting, page ${waiting.pages} (the last)`, () => inbox({ status: 'waiting', page: waiting.pages }, session)],
    ['inbox, assigned, page 1', () => inbox({ status: 'assigned', page: 1 }, session)],
    ['inbox, mine', () => inbox({ status: 'mine', page: 1 }, session)],
    ['inbox count (nav badge)', () => inboxCount(session)],
    ['customer poll (updates)', () => conversationUpdates(someWaiting, { time: new Date() })],
  ];
  const rows = [];
  for (const [name, work] of queries) {
    const { median, worst } = await timed(work);
    rows.push([backend, name, ms(median), ms(worst), median <= 100 ? 'yes' : 'NO']);
  }
  console.log(`${backend}: seeded ${INBOX_COUNT} conversations in ${seeded} s.`);
  return rows;
}

async function main() {
  const backends = values.backends.split(',');
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.`);
  const deliveryRows = [];
  const inboxRows = [];
  for (const backend of backends) {
    const database: Database | null = backend === 'postgresql' ? await scratchPostgresDatabase({ beforeDrop: () => db().$disconnect() }) : null;
    if (backend === 'postgresql' && !database) {
      console.log('PostgreSQL is not installed and TEST_POSTGRES_URL is not set: skipping it.');
      continue;
    }
    try {
      console.log(`\n${backend}: delivery with ${CONVERSATIONS} conversations polling every ${POLL_MS} ms…`);
      deliveryRows.push(await delivery(backend, database));
      const inboxDatabase = backend === 'postgresql' ? database!.url : `file:${path.join(os.tmpdir(), `glassdesk-bench-handoff-${randomUUID()}.db`)}`;
      if (backend === 'postgresql') {
        // A clean database for the inbox figures: the delivery run's rows are few, but start from nothing.
        await db().$executeRawUnsafe('TRUNCATE "AgentMessage", "Handoff", "Message", "Conversation" CASCADE');
      }
      console.log(`${backend}: inbox queries at ${INBOX_COUNT} conversations…`);
      inboxRows.push(...(await inboxQueries(backend, inboxDatabase)));
    } finally {
      await db().$disconnect();
      await database?.drop();
    }
  }
  printTable(
    `Delivery: agent posts → the customer's poll returns it (${CONVERSATIONS} chats polling every ${POLL_MS} ms, ${MESSAGES} replies each; goal p95 ≤ 3 s)`,
    ['database', 'chats', 'delivered', 'p50', 'p95', 'max', 'poll p50', 'poll p95', 'polls', 'load (1 min)'],
    deliveryRows,
  );
  printTable(`Inbox queries at ${INBOX_COUNT} conversations (median and worst of ${RUNS}; goal ≤ 100 ms)`, ['database', 'query', 'median', 'worst', '≤ 100 ms'], inboxRows);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
