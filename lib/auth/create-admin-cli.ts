// Creates an admin account (or, with --reset, sets a new password for one).
//   npm run admin:create -- --email ops@example.com            (asks for the password)
//   printf '%s' "$PASSWORD" | npm run admin:create -- --email ops@example.com --password-stdin
// The database is the one DATABASE_URL names (default: the SQLite file in data/).
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { getConfig } from '@/lib/config';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { createAdminUser, setAdminPassword } from '@/lib/db/queries/admin-auth';
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
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.email) {
    console.log('Usage: npm run admin:create -- --email ADDRESS [--password-stdin] [--reset]');
    return values.help ? 0 : 2;
  }
  const email = z.email().safeParse(values.email.trim());
  if (!email.success) {
    console.error(`"${values.email}" is not an e-mail address.`);
    return 2;
  }
  let password: string;
  if (values['password-stdin'] || !process.stdin.isTTY) {
    password = await readStdin();
  } else {
    password = await prompt('Password: ');
    if ((await prompt('Again: ')) !== password) {
      console.error('The two passwords differ; nothing was changed.');
      return 1;
    }
  }
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    console.error(`The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`);
    return 1;
  }
  const { DATABASE_URL } = getConfig();
  await migrateDatabase(DATABASE_URL);
  const database = await connectDatabase(DATABASE_URL);
  try {
    if (values.reset) {
      if (!(await setAdminPassword(email.data, password))) {
        console.error(`There is no admin ${email.data}.`);
        return 1;
      }
      console.log(`Password changed for ${email.data}; their sessions were ended.`);
      return 0;
    }
    const { created } = await createAdminUser(email.data, password);
    if (!created) {
      console.error(`An admin ${email.data} exists already; use --reset to change the password.`);
      return 1;
    }
    console.log(`Admin ${email.data} created.`);
    return 0;
  } finally {
    await database.$disconnect();
  }
}

runCli(main);
