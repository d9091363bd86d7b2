// Load on the ingest API: the production build on loopback, on SQLite and on PostgreSQL.
//   npm run bench:ingest -- [--duration 20] [--warmup 5] [--connections 8] [--backends sqlite,postgresql]
//                           [--explanations 1] [--batch 1,10] [--baseline] [--build]
// Each request posts distinct, valid records (turns: user message, reply, prediction; or a
// prediction's explanations), as visitors' browsers do: one autocannon "conversation" is four
// turns from one client address, with --explanations of them followed by their explanations.
// --batch N posts the turns N to a request (`{ turns: [ … ], explanations: [ … ] }`, as the outbox
// sends what waited), with the explanations of as many of them as the ratio gives in the same
// post; one row per batch size (default 1 and 10).
// After the run every accepted record must be in the database exactly once, and every row
// there must belong to a post that was sent: exits 1 when an accepted record is missing.
// autocannon drops the connections when the time is up, so the few posts in flight then may
// be stored without their answer being counted: they are shown as "unacknowledged".
// --baseline also loads GET /api/health (one SELECT 1) on the same server for as long: what
// the framework alone costs per request on this machine, next to what storing a record costs.
import { randomInt, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';
import { printTable, startProductionServer } from '../support/server.mjs';
import { scratchPostgresDatabase } from '../support/postgres.mjs';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    backends: { type: 'string', default: 'sqlite,postgresql' },
    explanations: { type: 'string', default: '1' },
    batch: { type: 'string', default: '1,10' },
    baseline: { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const explanationsPerConversation = Math.min(4, Math.max(0, Number(values.explanations)));
const TURNS_PER_CONVERSATION = 4;
const batchSizes = values.batch.split(',').map((n) => Math.min(50, Math.max(1, Number(n))));

// The limiter still counts every request (one upsert each); its budget is raised so that the
// bench measures storing, not refusing.
const SERVER_ENV = { CHAT_RATE_LIMIT_PER_MINUTE: '100000000' };

const MESSAGES = [
  ['My card still has not arrived, it has been two weeks', 'card_arrival'],
  ['How do I change my PIN?', 'change_pin'],
  ['The ATM kept my card', 'card_swallowed'],
  ['Why was I charged a fee for a transfer?', 'transfer_fee_charged'],
  ['My top up failed again', 'top_up_failed'],
  ['Can I get a refund for order 48213 from 12/03/2026?', 'request_refund'],
  ['I lost my card yesterday', 'lost_or_stolen_card'],
  ['Contactless is not working at the shop', 'contactless_not_working'],
];

// The version the server serves (its content hash, asked of the server once it is up), so that
// each stored prediction is verified for real by the server's own run of that version.
let servedModelVersion = '';

function turnRecord(conversationId, index) {
  const [text, intent] = MESSAGES[randomInt(MESSAGES.length)];
  const confidence = 0.55 + Math.random() * 0.44;
  return {
    conversationId,
    botId: 'banking77',
    user: { id: randomUUID(), seq: index * 2, text, parts: { kind: 'typed' } },
    reply: {
      id: randomUUID(),
      seq: index * 2 + 1,
      text: 'Here is what you can do about that. If it does not help, ask for a person.',
      parts: { kind: 'answer', intent, quickReplies: [{ text: 'Where is my card?', intent: 'card_arrival' }] },
    },
    prediction: {
      id: randomUUID(),
      modelId: 'banking77',
      modelVersion: servedModelVersion,
      intent,
      confidence,
      topK: [
        { intent, probability: confidence },
        { intent: 'card_delivery_estimate', probability: (1 - confidence) * 0.6 },
        { intent: 'lost_or_stolen_card', probability: (1 - confidence) * 0.3 },
      ],
      decision: 'answer',
      backend: 'wasm',
      latencyMs: 2 + Math.random() * 10,
    },
  };
}

/** Occlusion and LIME for the turn's message, shaped as the panel renders them. */
function explanationsRecord(text, intent, probability) {
  const words = [...text.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
  const scores = () => words.map(() => Number((Math.random() * 0.6 - 0.1).toFixed(4)));
  const faithfulness = {
    comprehensiveness: [{ k: '1', value: 0.31 }, { k: '2', value: 0.44 }, { k: '20%', value: 0.4 }],
    sufficiency: [{ k: '1', value: 0.12 }, { k: '2', value: 0.08 }, { k: '20%', value: 0.1 }],
    meanComprehensiveness: 0.38,
    meanSufficiency: 0.1,
    deletionAuc: 0.27,
  };
  const target = { index: 11, label: intent, probability };
  return {
    explanations: [
      { method: 'occlusion', version: 1, target, settings: { baseline: 'remove' }, words, scores: scores(), extra: {}, faithfulness, timing: { ms: 14.2, forwardPasses: words.length + 1 } },
      { method: 'lime', version: 1, target, settings: { samples: 500, seed: 7, kernelWidth: 0.25 }, words, scores: scores(), extra: { intercept: 0.12, r2: 0.83 }, faithfulness, timing: { ms: 212.5, forwardPasses: 500 } },
    ],
  };
}

/** What was sent and what the server accepted, by id, to check the database against. */
function newTally() {
  return { turnsStored: 0, turnsDuplicate: 0, explanationPosts: 0, refused: new Map(), sent: new Map(), acceptedTurns: [], acceptedExplanations: new Map() };
}

/** Counts the answer for one posted turn (201/200 for a single post, the outcome within a batch). */
function countTurn(tally, turn, outcome, status) {
  if (outcome === 'stored') {
    tally.turnsStored += 1;
    tally.acceptedTurns.push(turn);
    return true;
  }
  if (outcome === 'duplicate') tally.turnsDuplicate += 1;
  else tally.refused.set(status, (tally.refused.get(status) ?? 0) + 1);
  return false;
}

function explanationRequest(tally, json) {
  return {
    method: 'POST',
    path: '/api/predictions/pending/explanations',
    setupRequest(request, context) {
      const turnRecord = context.storedTurns?.shift();
      if (!turnRecord) return null; // its turn was refused: start a new conversation
      context.explained = turnRecord.prediction.id;
      const { id, intent, confidence } = turnRecord.prediction;
      return {
        ...request,
        path: `/api/predictions/${id}/explanations`,
        headers: { ...json, 'x-forwarded-for': context.client },
        body: JSON.stringify(explanationsRecord(turnRecord.user.text, intent, confidence)),
      };
    },
    onResponse(status, body, context) {
      if (status === 201 || status === 200) {
        tally.explanationPosts += 1;
        const { stored, duplicates } = JSON.parse(body);
        tally.acceptedExplanations.set(context.explained, stored + duplicates);
      } else tally.refused.set(status, (tally.refused.get(status) ?? 0) + 1);
    },
  };
}

/**
 * One conversation's requests: four single-turn posts each followed by its explanations, or with
 * `batch` > 1 one post of `batch` consecutive turns followed by explanations for as many of them
 * as the same ratio gives.
 */
function conversationRequests(tally, batch) {
  const json = { 'content-type': 'application/json' };
  const start = (context) => {
    // One visitor address per conversation, from a documentation range (a header value only).
    context.client ??= `198.51.${100 + randomInt(2)}.${1 + randomInt(254)}`;
    context.conversationId ??= randomUUID();
    context.storedTurns ??= [];
  };
  const requests = [];
  if (batch > 1) {
    // The explanations travel in the same post as their turns, as the outbox sends what waited.
    const explained = Math.round((batch * explanationsPerConversation) / TURNS_PER_CONVERSATION);
    requests.push({
      method: 'POST',
      path: '/api/turns',
      setupRequest(request, context) {
        start(context);
        context.turns = Array.from({ length: batch }, (_, index) => turnRecord(context.conversationId, index));
        for (const turn of context.turns) tally.sent.set(turn.user.id, turn);
        context.explanations = context.turns.slice(0, explained).map(({ user, prediction }) => ({
          predictionId: prediction.id,
          ...explanationsRecord(user.text, prediction.intent, prediction.confidence),
        }));
        const body = { turns: context.turns, ...(explained > 0 ? { explanations: context.explanations } : {}) };
        return { ...request, headers: { ...json, 'x-forwarded-for': context.client }, body: JSON.stringify(body) };
      },
      onResponse(status, body, context) {
        if (status !== 200) {
          const records = context.turns.length + (explained > 0 ? context.explanations.length : 0);
          for (let i = 0; i < records; i++) tally.refused.set(status, (tally.refused.get(status) ?? 0) + 1);
          return;
        }
        const { outcomes, explanationOutcomes = [] } = JSON.parse(body);
        context.turns.forEach((turn, index) => countTurn(tally, turn, outcomes[index].outcome, outcomes[index].status));
        explanationOutcomes.forEach((answer, index) => {
          if (answer.outcome === 'refused') {
            tally.refused.set(answer.status, (tally.refused.get(answer.status) ?? 0) + 1);
            return;
          }
          tally.explanationPosts += 1;
          tally.acceptedExplanations.set(context.explanations[index].predictionId, answer.stored + answer.duplicates);
        });
      },
    });
    return requests;
  }
  for (let turn = 0; turn < TURNS_PER_CONVERSATION; turn++) {
    requests.push({
      method: 'POST',
      path: '/api/turns',
      setupRequest(request, context) {
        start(context);
        context.turn = turnRecord(context.conversationId, turn);
        context.storedTurns.length = 0;
        tally.sent.set(context.turn.user.id, context.turn);
        return { ...request, headers: { ...json, 'x-forwarded-for': context.client }, body: JSON.stringify(context.turn) };
      },
      onResponse(status, _body, context) {
        const outcome = status === 201 ? 'stored' : status === 200 ? 'duplicate' : 'refused';
        if (countTurn(tally, context.turn, outcome, status)) context.storedTurns.push(context.turn);
      },
    });
    if (turn < explanationsPerConversation) requests.push(explanationRequest(tally, json));
  }
  return requests;
}

/**
 * CPU time (ms) used so far by the processes of a process group, from /proc: on a machine
 * shared with other work, CPU per record says more than wall-clock rates.
 */
function groupCpuMs(pgid) {
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields after the command: state, ppid, pgrp, …, utime (12th), stime (13th).
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return (ticks * 1000) / ticksPerSecond;
}

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function load(url, seconds, tally, batch) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, requests: conversationRequests(tally, batch), timeout: 10 }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** The ids stored: messages, predictions, and the explanation count per prediction. */
async function storedRows(databaseUrl) {
  const queries = {
    messages: 'SELECT "id" FROM "Message"',
    predictions: 'SELECT "id" FROM "Prediction"',
    explanations: 'SELECT "predictionId" AS "id", COUNT(*) AS "n" FROM "Explanation" GROUP BY "predictionId"',
    verification: 'SELECT "verification" AS "id", COUNT(*) AS "n" FROM "Prediction" GROUP BY "verification"',
  };
  let rows;
  if (databaseUrl.startsWith('file:')) {
    const database = new Database(databaseUrl.slice('file:'.length), { readonly: true });
    try {
      rows = Object.fromEntries(Object.entries(queries).map(([name, sql]) => [name, database.prepare(sql).all()]));
    } finally {
      database.close();
    }
  } else {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      rows = {};
      for (const [name, sql] of Object.entries(queries)) rows[name] = (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }
  return {
    messages: new Set(rows.messages.map((r) => r.id)),
    predictions: new Set(rows.predictions.map((r) => r.id)),
    explanations: new Map(rows.explanations.map((r) => [r.id, Number(r.n)])),
    verification: Object.fromEntries(rows.verification.map((r) => [r.id, Number(r.n)])),
  };
}

/**
 * Checks the database against what the server accepted: every accepted turn's two messages
 * and prediction and every accepted explanation are there (else lost); every row belongs to
 * a post that was sent (else it came from nowhere); rows of posts whose answer never came
 * back are unacknowledged, not lost.
 */
function reconcile(stored, tallies) {
  const accepted = tallies.flatMap((t) => t.acceptedTurns);
  const acceptedExplanations = new Map(tallies.flatMap((t) => [...t.acceptedExplanations]));
  const sent = new Map(tallies.flatMap((t) => [...t.sent]));
  const sentIds = new Set([...sent.values()].flatMap((turn) => [turn.user.id, turn.reply.id, turn.prediction.id]));
  let lost = 0;
  for (const turn of accepted) {
    lost += [stored.messages.has(turn.user.id), stored.messages.has(turn.reply.id), stored.predictions.has(turn.prediction.id)].filter((ok) => !ok).length;
  }
  for (const [predictionId, count] of acceptedExplanations) lost += Math.max(0, count - (stored.explanations.get(predictionId) ?? 0));
  const acceptedIds = new Set(accepted.flatMap((turn) => [turn.user.id, turn.reply.id, turn.prediction.id]));
  const rowIds = [...stored.messages, ...stored.predictions];
  const unacknowledged =
    rowIds.filter((id) => !acceptedIds.has(id) && sentIds.has(id)).length +
    [...stored.explanations].filter(([predictionId]) => !acceptedExplanations.has(predictionId)).reduce((sum, [, n]) => sum + n, 0);
  const unexplained = rowIds.filter((id) => !sentIds.has(id)).length;
  // A prediction explained more than the methods posted for it would be a doubled record.
  const doubled = [...stored.explanations].filter(([predictionId, n]) => n > (acceptedExplanations.get(predictionId) ?? 2)).length;
  const expected = { messages: accepted.length * 2, predictions: accepted.length, explanations: [...acceptedExplanations.values()].reduce((a, b) => a + b, 0) };
  const rows = { messages: stored.messages.size, predictions: stored.predictions.size, explanations: [...stored.explanations.values()].reduce((a, b) => a + b, 0) };
  return { lost, unacknowledged, unexplained, doubled, expected, rows };
}

/** The framework's own cost: GET /api/health for as long as the measured run. */
async function healthBaseline(server) {
  const before = groupCpuMs(server.pid);
  const result = await new Promise((resolve, reject) => {
    autocannon({ url: `${server.url}/api/health`, connections, duration }, (error, r) => (error ? reject(error) : resolve(r)));
  });
  const cpu = groupCpuMs(server.pid) - before;
  return [`${result.requests.average.toFixed(0)} req/s`, result.latency.p50, result.latency.p99, (cpu / result.requests.total).toFixed(2)];
}

async function runBackend(backend, batch) {
  const database = backend === 'postgresql' ? await scratchPostgresDatabase() : null;
  if (backend === 'postgresql' && !database) {
    console.log('PostgreSQL is not installed and TEST_POSTGRES_URL is not set: skipping it.');
    return null;
  }
  const server = await startProductionServer({ env: { ...SERVER_ENV, ...(database ? { DATABASE_URL: database.url } : {}) } });
  const databaseUrl = database?.url ?? `file:${path.join(server.dataDir, 'bench.db')}`;
  try {
    servedModelVersion = (await (await fetch(`${server.url}/api/bots/banking77/model`)).json()).version;
    const tally = newTally();
    console.log(`\n${backend}, ${batch} turn(s) per post: warm-up ${warmup} s, then ${duration} s at ${connections} connections…`);
    await load(server.url, warmup, tally, batch);
    const loadDuring = [];
    const sampler = setInterval(() => loadDuring.push(os.loadavg()[0]), 5000);
    const measured = newTally();
    const cpuBefore = { server: groupCpuMs(server.pid), generator: ownCpuMs() };
    const result = await load(server.url, duration, measured, batch);
    const cpu = { server: groupCpuMs(server.pid) - cpuBefore.server, generator: ownCpuMs() - cpuBefore.generator };
    clearInterval(sampler);
    const baseline = values.baseline && batch === batchSizes[0] ? await healthBaseline(server) : null;
    const stored = await storedRows(databaseUrl);
    const check = reconcile(stored, [tally, measured]);
    const verification = ['verified', 'mismatch', 'pending', 'failed'].map((state) => stored.verification[state] ?? 0).join(' / ');
    const records = measured.turnsStored + measured.explanationPosts;
    const refused = [...measured.refused].map(([status, n]) => `${n}×${status}`).join(' ') || '0';
    return {
      row: [
        backend,
        batch,
        Math.round(records / duration),
        Math.round(measured.turnsStored / duration),
        Math.round(measured.explanationPosts / duration),
        Math.round(result.requests.total / duration),
        result.latency.p50,
        result.latency.p99,
        refused,
        result.errors + result.timeouts,
        `${check.rows.messages} / ${check.rows.predictions} / ${check.rows.explanations}`,
        `${check.expected.messages} / ${check.expected.predictions} / ${check.expected.explanations}`,
        check.lost,
        check.doubled + check.unexplained,
        check.unacknowledged,
        (cpu.server / records).toFixed(2),
        (cpu.generator / records).toFixed(2),
        Math.max(...loadDuring, os.loadavg()[0]).toFixed(1),
        verification,
      ],
      baseline,
      failed: check.lost > 0 || check.doubled > 0 || check.unexplained > 0,
    };
  } finally {
    await server.stop();
    await database?.drop();
  }
}

const backends = values.backends.split(',').map((b) => b.trim()).filter(Boolean);
const rows = [];
const baselines = [];
let failed = false;
console.log(`${os.cpus().length} cores (shared with the load generator and anything else running); load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const backend of backends) {
  for (const batch of batchSizes) {
    const outcome = await runBackend(backend, batch);
    if (!outcome) break;
    rows.push(outcome.row);
    if (outcome.baseline) baselines.push([backend, ...outcome.baseline]);
    if (outcome.failed) failed = true;
  }
}
printTable(
  `Ingest, ${duration} s after a ${warmup} s warm-up, ${connections} connections, ${explanationsPerConversation} explanation post(s) per ${TURNS_PER_CONVERSATION} turns (records/s: turns and predictions' explanations accepted):`,
  ['backend', 'turns/post', 'records/s', 'turns/s', 'explanation records/s', 'posts/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'rows msg/pred/expl', 'accepted msg/pred/expl', 'lost', 'doubled', 'unacknowledged rows', 'server CPU ms/record', 'generator CPU ms/record', 'max load avg', 'predictions verified / mismatch / pending / failed at the end'],
  rows,
);
if (baselines.length > 0) {
  printTable('The same servers answering GET /api/health (SELECT 1), for comparison:', ['backend', 'rate', 'p50 ms', 'p99 ms', 'server CPU ms/request'], baselines);
}
console.log(`\nLoad average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (failed) {
  console.error('\nSome accepted records are missing from the database, or rows are doubled or came from no post.');
  process.exit(1);
}
