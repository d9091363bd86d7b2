import { z } from 'zod';
import bankZh from './answers/bank-zh.json';
import banking77 from './answers/banking77.json';

/** Limits shared by the schema, the tests and the admin dashboard. */
export const LABEL_MAX = 40;
export const ANSWER_MAX = 420;
export const QUICK_REPLY_TEXT_MAX = 60;
export const QUICK_REPLIES_MAX = 3;

/** How the out-of-scope class is named when a bot's answers do not say. */
export const DEFAULT_OUT_OF_SCOPE_NAMES = { label: "Something I can't help with", operatorLabel: 'Out of scope' } as const;

const MARKUP = /<\/?[a-z][^>]*>|\*\*|__|`|^\s{0,3}#{1,6}\s|^\s*[-*+]\s|\[[^\]]*\]\([^)]*\)/m;

const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((text) => !MARKUP.test(text), { message: 'must be plain text (no markdown or HTML)' });

export const quickReplySchema = z.object({
  text: plainText(QUICK_REPLY_TEXT_MAX),
  intent: z.string().min(1),
});

export const intentContentSchema = z.object({
  label: plainText(LABEL_MAX),
  answer: plainText(ANSWER_MAX),
  quickReplies: z.array(quickReplySchema).max(QUICK_REPLIES_MAX).default([]),
});

export const botContentSchema = z
  .object({
    bot: z.string().min(1),
    name: plainText(80),
    greeting: plainText(ANSWER_MAX),
    clarifyPrompt: plainText(200),
    /** Questions offered on the empty chat, one tap to ask. */
    starters: z.array(plainText(QUICK_REPLY_TEXT_MAX)).max(4).default([]),
    handoff: z.object({
      outOfScope: plainText(ANSWER_MAX),
      unsure: plainText(ANSWER_MAX),
      offer: plainText(LABEL_MAX),
      confirmation: plainText(ANSWER_MAX),
      /** How to reach a person when the chat itself cannot work. */
      contact: plainText(ANSWER_MAX),
      /** Shown once a person from the team has claimed the conversation. */
      joined: plainText(ANSWER_MAX),
      /** The delivery note under a message sent while a person holds the conversation (the bot stays quiet). */
      withAgent: plainText(LABEL_MAX),
      /** Said honestly when nobody has claimed the hand-off after a while. */
      busy: plainText(ANSWER_MAX),
      /** Said instead of giving the same answer twice in a row: the customer is repeating themselves, so a person takes over. */
      repeated: plainText(ANSWER_MAX),
    }),
    intents: z.record(z.string().min(1), intentContentSchema),
    /**
     * The out-of-scope class as each reader sees it. The model card names the class
     * (lib/bot/registry.ts matches it); `intents` lists further names it is stored under here.
     */
    outOfScope: z
      .object({
        intents: z.array(z.string().min(1)).default([]),
        label: plainText(LABEL_MAX),
        operatorLabel: plainText(LABEL_MAX),
      })
      .default({ intents: [], ...DEFAULT_OUT_OF_SCOPE_NAMES }),
  })
  .superRefine((content, ctx) => {
    const intents = Object.keys(content.intents);
    if (intents.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['intents'], message: 'at least one intent is required' });
    }
    const known = new Set(intents);
    const labels = new Map<string, string>();
    for (const [intent, entry] of Object.entries(content.intents)) {
      const key = entry.label.toLowerCase();
      const other = labels.get(key);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['intents', intent, 'label'],
          message: `label "${entry.label}" is also used by ${other}`,
        });
      } else {
        labels.set(key, intent);
      }
      entry.quickReplies.forEach((reply, index) => {
        if (!known.has(reply.intent)) {
          ctx.addIssue({
            code: 'custom',
            path: ['intents', intent, 'quickReplies', index, 'intent'],
            message: `unknown intent "${reply.intent}"`,
          });
        } else if (reply.intent === intent) {
          ctx.addIssue({
            code: 'custom',
            path: ['intents', intent, 'quickReplies', index, 'intent'],
            message: 'a quick reply must lead to a different intent',
          });
        }
      });
    }
  });

export type BotContent = z.infer<typeof botContentSchema>;
export type IntentContent = z.infer<typeof intentContentSchema>;
export type QuickReply = z.infer<typeof quickReplySchema>;

export class BotContentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BotContentError';
  }
}

/** Every bot's content, bundled statically so it also works in the browser. */
const BOTS: Readonly<Record<string, unknown>> = {
  banking77,
  'bank-zh': bankZh,
};

export const knownBots = (): string[] => Object.keys(BOTS);

const cache = new Map<string, BotContent>();

/** Parses and validates arbitrary data as bot content, naming every problem. */
export function parseBotContent(data: unknown, source = 'bot content'): BotContent {
  const result = botContentSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new BotContentError(`Invalid ${source}:\n- ${problems.join('\n- ')}`);
  }
  return result.data;
}

/** Loads and validates the answers of a known bot. Throws for unknown bots or invalid content. */
export function loadBotContent(botId: string): BotContent {
  const cached = cache.get(botId);
  if (cached) return cached;
  if (!Object.hasOwn(BOTS, botId)) {
    const known = knownBots().join(', ');
    throw new BotContentError(`Unknown bot "${botId}". Known bots: ${known}.`);
  }
  const content = parseBotContent(BOTS[botId], `content for bot "${botId}"`);
  if (content.bot !== botId) {
    throw new BotContentError(`Content registered as "${botId}" declares bot "${content.bot}".`);
  }
  cache.set(botId, content);
  return content;
}

/** "card_payment_not_recognised" → "Card payment not recognised"; "reverted_card_payment?" → "Reverted card payment". */
export function humanizeIntent(intent: string): string {
  const words = intent.replace(/[^A-Za-z0-9]+/g, ' ').trim().toLowerCase();
  if (!words) return intent;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The display name of an intent for a customer or an operator: the bot's label, the
 * out-of-scope names for the out-of-scope class, or a readable form of an unknown name.
 */
export function intentLabel(content: BotContent, intent: string, reader: 'customer' | 'operator' = 'customer'): string {
  if (content.outOfScope.intents.includes(intent)) return reader === 'operator' ? content.outOfScope.operatorLabel : content.outOfScope.label;
  const entry = Object.hasOwn(content.intents, intent) ? content.intents[intent] : undefined;
  return entry?.label ?? humanizeIntent(intent);
}
