// `npm run admin:create` as an operator runs it: from a second terminal, while the production
// server is serving the same SQLite file, then signing in with the account it made.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCurrentBuild } from '@/lib/setup/build-state.mjs';
import { startNextServer } from '../e2e/support/next-server.mjs';
import { freePort } from '../support/net.mjs';

type Server = Awaited<ReturnType<typeof startNextServer>>;
type Run = { status: number | null; stdout: string; stderr: string };

const root = process.cwd();
let dir: string;
let databaseFile: string;
let server: Server | undefined;

/** `npm run admin:create -- …args` with `input` on its standard input. */
function adminCreate(args: string[], input: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'admin:create', '--', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: `file:${databaseFile}`, NODE_ENV: 'production' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function signIn(email: string, password: string): Promise<Response> {
  return fetch(`${server!.url}/api/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server!.url },
    body: JSON.stringify({ email, password }),
  });
}

beforeAll(async () => {
  ensureCurrentBuild({ log: () => {} });
  dir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-admin-cli-'));
  databaseFile = path.join(dir, 'glassdesk.db');
  server = await startNextServer({ port: await freePort(), databaseFile });
}, 600_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run admin:create beside the running server', () => {
  it('creates an account on the file the server uses, and the server signs it in', async () => {
    const password = 'correct horse battery staple';
    const run = await adminCreate(['--email', 'Ops@Bank.example', '--password-stdin'], `${password}\n`);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('Admin ops@bank.example created.');
    expect(run.status).toBe(0);

    const signedIn = await signIn('ops@bank.example', password);
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^[\w-]+=[\w-]{20,}$/);
    const overview = await fetch(`${server!.url}/api/admin/overview`, { headers: { cookie } });
    expect(overview.status).toBe(200);

    expect((await signIn('ops@bank.example', `${password}!`)).status).toBe(401);
  });

  it('changes the password with --reset while the server runs', async () => {
    const run = await adminCreate(['--email', 'ops@bank.example', '--password-stdin', '--reset'], 'a brand new passphrase');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect((await signIn('ops@bank.example', 'a brand new passphrase')).status).toBe(200);
  });

  it('refuses a short password and an existing account in one sentence each', async () => {
    const short = await adminCreate(['--email', 'new@bank.example', '--password-stdin'], 'too short');
    expect(short.status).toBe(1);
    expect(short.stderr.trim()).toMatch(/^The password must be 12 to \d+ characters long; nothing was changed\.$/);

    const again = await adminCreate(['--email', 'ops@bank.example', '--password-stdin'], 'correct horse battery staple');
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toBe('An account ops@bank.example exists already; use --reset to change the password.');
  });

  it('--role agent creates an agent, whom the server signs in as one and lets into the inbox; a role it does not know is refused', async () => {
    const password = 'an agent password, long enough';
    const run = await adminCreate(['--email', 'ana.lopez@bank.example', '--role', 'agent', '--password-stdin'], `${password}\n`);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('Agent ana.lopez@bank.example created.');
    expect(run.status).toBe(0);
    const signedIn = await signIn('ana.lopez@bank.example', password);
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toEqual({ email: 'ana.lopez@bank.example', role: 'agent' });
    const cookie = signedIn.headers.get('set-cookie')?.split(';')[0] ?? '';
    const count = await fetch(`${server!.url}/api/admin/inbox/count`, { headers: { cookie } });
    expect(count.status).toBe(200);
    expect(await count.json()).toEqual({ waiting: 0, mine: 0 });

    const wrong = await adminCreate(['--email', 'boss@bank.example', '--role', 'owner', '--password-stdin'], `${password}\n`);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim()).toBe('--role must be admin or agent, not "owner".');
  });
});
