import { z } from 'zod';
import { knownBots } from '@/lib/bot/answers';

/**
 * Server configuration, read from the environment once and validated, so that a bad value
 * stops the server at start-up with one sentence per problem instead of failing later.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const databaseUrl = z
  .string()
  .trim()
  .refine((url) => /^(file:|postgres(ql)?:\/\/)/.test(url), {
    message: 'must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)',
  });

const redactionKinds = z
  .string()
  .transform((value) => value.split(',').map((kind) => kind.trim()).filter(Boolean))
  .pipe(z.array(z.enum(['card', 'iban', 'email', 'phone'], { message: 'lists kinds among card, iban, email, phone' })));

const positiveWholeNumber = z
  .string()
  .regex(/^\d+$/, { message: 'must be a whole number' })
  .transform(Number)
  .pipe(z.number().int().min(1, { message: 'must be at least 1' }));

/** The demo bot, served when DEFAULT_BOT is not set. */
const DEMO_BOT = 'banking77';

const botId = z
  .string()
  .trim()
  .refine((id) => knownBots().includes(id), { message: `must name a bot this build has answers for (${knownBots().join(', ')})` });

const configSchema = z.object({
  DATABASE_URL: databaseUrl.default('file:./data/glassdesk.db'),
  AUTO_MIGRATE: booleanFlag.default(true),
  ADMIN_EMAIL: z.email({ message: 'must be an e-mail address' }).optional(),
  ADMIN_PASSWORD: z.string().min(12, { message: 'must be at least 12 characters long' }).optional(),
  /** The bot the chat page serves: its answers (lib/bot/answers/<id>.json) and model (public/models/<id>/). */
  DEFAULT_BOT: botId.default(DEMO_BOT),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /**
   * The model store: every stored model version of every bot, one immutable folder each
   * (`<store>/<botId>/<hash>/`, lib/model/versions.ts). Beside the default SQLite file.
   */
  MODEL_STORE_DIR: z.string().trim().min(1).default('./data/models'),
  /** Personal data masked before storage; "none" stores messages as typed. */
  REDACT_PII: z
    .literal('none')
    .transform(() => [] as ('card' | 'iban' | 'email' | 'phone')[])
    .or(redactionKinds)
    .default(['card', 'iban', 'email', 'phone']),
  /**
   * Requests one client (address) may make to the chat API per minute, all chat routes
   * together. A chat turn makes two or three posts, so the default leaves a fast typist and
   * a few visitors behind one shared address room; the outbox retries what a 429 refuses.
   */
  CHAT_RATE_LIMIT_PER_MINUTE: positiveWholeNumber.default(180),
  /**
   * Reverse proxies in front of the app that append to X-Forwarded-For (a load balancer, a
   * CDN); the rate limits read the client's address from the entry they wrote.
   */
  TRUSTED_PROXIES: z.coerce.number({ message: 'must be a whole number' }).int({ message: 'must be a whole number' }).min(0, { message: 'must be 0 or more' }).max(10, { message: 'must be 10 or less' }).default(0),
  /**
   * Seconds a hand-off may wait for a person before the customer is told honestly that everyone
   * is busy (they can leave the page open or come back later).
   */
  HANDOFF_BUSY_AFTER_S: positiveWholeNumber.default(120),
  /** Re-run the bot's model on each stored prediction to check what the browser reported (lib/verify). */
  VERIFY_PREDICTIONS: z
    .enum(['on', 'off', 'true', 'false'], { message: 'must be on or off' })
    .transform((value) => value === 'on' || value === 'true')
    .default(true),
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // An empty variable means "not set", as it does for most tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message} (got ${JSON.stringify(present[String(issue.path[0])])})`),
    );
  }
  if (result.data.ADMIN_EMAIL && !result.data.ADMIN_PASSWORD) {
    throw new ConfigError(['ADMIN_PASSWORD must be set when ADMIN_EMAIL is set']);
  }
  return result.data;
}

let cached: AppConfig | undefined;

export function getConfig(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
