// Creates an account, an admin unless --role agent (or, with --reset, sets a new password for one).
//   npm run admin:create -- --email ops@example.com            (asks for the password)
//   npm run admin:create -- --email ana@example.com --role agent
//   printf '%s' "$PASSWORD" | npm run admin:create -- --email ops@example.com --password-stdin
// The database is the one DATABASE_URL names (default: the SQLite file in data/). It may be
// in use by a running server: migrations run only when the database is behind.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { getConfig } from '@/lib/config';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { sqliteFilePath, providerOf } from '@/lib/db/provider';
import { ACCOUNT_ROLES, createAdminUser, normaliseEmail, setAdminPassword, type AccountRole } from './admins';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password';
import { runCli } from '@/lib/cli';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    let asked = false;
    output._writeToOutput = (text: string) => {
      if (!asked) {
        process.stdout.write(text);
        asked = true;
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      role: { type: 'string', default: 'admin' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.email) {
    console.log('Usage: npm run admin:create -- --email ADDRESS [--role admin|agent] [--password-stdin] [--reset]');
    return values.help ? 0 : 2;
  }
  const role = values.role as AccountRole;
  if (!ACCOUNT_ROLES.includes(role)) {
    console.error(`--role must be ${ACCOUNT_ROLES.join(' or ')}, not "${values.role}".`);
    return 2;
  }
  const email = z.email().safeParse(values.email.trim());
  if (!email.success) {
    console.error(`"${values.email}" is not an e-mail address.`);
    return 2;
  }
  const interactive = !values['password-stdin'] && process.stdin.isTTY;
  const password = interactive ? await prompt('Password: ') : await readStdin();
  // Checked before asking again: a too short password is refused at once.
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    console.error(`The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long; nothing was changed.`);
    return 1;
  }
  if (interactive && (await prompt('Again, to confirm: ')) !== password) {
    console.error('The two passwords differ; nothing was changed.');
    return 1;
  }
  const { DATABASE_URL } = getConfig();
  try {
    return await saveAccount(DATABASE_URL, normaliseEmail(email.data), password, values.reset, role);
  } catch (error) {
    console.error(`${values.reset ? 'Changing the password' : 'Creating the admin'} failed in ${describeDatabase(DATABASE_URL)}: ${oneLine(error)}`);
    return 1;
  }
}

async function saveAccount(databaseUrl: string, email: string, password: string, reset: boolean, role: AccountRole): Promise<number> {
  await migrateDatabase(databaseUrl);
  const database = await connectDatabase(databaseUrl);
  try {
    if (reset) {
      if (!(await setAdminPassword(email, password))) {
        console.error(`There is no admin ${email}.`);
        return 1;
      }
      console.log(`Password changed for ${email}; their sessions were ended.`);
      return 0;
    }
    const { created } = await createAdminUser(email, password, role);
    if (!created) {
      console.error(`An account ${email} exists already; use --reset to change the password.`);
      return 1;
    }
    console.log(`${role === 'admin' ? 'Admin' : 'Agent'} ${email} created.`);
    return 0;
  } finally {
    await database.$disconnect();
  }
}

/** Where the account goes, without the credentials a PostgreSQL URL carries. */
function describeDatabase(databaseUrl: string): string {
  if (providerOf(databaseUrl) === 'sqlite') return sqliteFilePath(databaseUrl);
  try {
    const url = new URL(databaseUrl);
    return `PostgreSQL at ${url.host}${url.pathname}`;
  } catch {
    return 'the PostgreSQL database DATABASE_URL names';
  }
}

/**
 * One line of an error: driver and engine errors carry stacks and traces in their messages, and
 * Prisma's query errors put the reason on their last line, after the code they quote.
 */
function oneLine(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((line) => line.trim()).filter(Boolean);
  return (/invocation/.test(lines[0] ?? '') ? lines.at(-1) : lines[0]) ?? 'unknown error';
}

runCli(main);
