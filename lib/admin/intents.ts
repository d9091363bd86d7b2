import 'server-only';
import { getConfig } from '@/lib/config';
import { resolveBot } from '@/lib/bot/registry';
import { activeBot, activeFacts } from '@/lib/verify/bots';

/**
 * The intents a reviewer may relabel to: the bot's own (by their operator names), plus out of
 * scope under the label a review stores for it (`Bot.reviewOutOfScopeLabel`, which the training
 * export writes as is). A bot with no answers in this build offers its active model version's labels.
 */
export async function reviewIntents(botId = getConfig().DEFAULT_BOT): Promise<{ intent: string; label: string }[]> {
  const facts = await activeFacts(botId);
  const bot = resolveBot(botId, facts);
  const intents = bot.content ? Object.keys(bot.content.intents) : (facts?.labels ?? []);
  return [
    ...intents
      .filter((intent) => !bot.isOutOfScope(intent))
      .map((intent) => ({ intent, label: bot.labelOf(intent, 'operator') }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    { intent: bot.reviewOutOfScopeLabel, label: bot.labelOf(bot.reviewOutOfScopeLabel, 'operator') },
  ];
}

/** How an operator reads the intents of `botId`'s predictions. */
export async function labelOf(botId = getConfig().DEFAULT_BOT): Promise<(intent: string) => string> {
  const bot = await activeBot(botId);
  return (intent) => bot.labelOf(intent, 'operator');
}

/**
 * The operator's name of every intent `botId`'s active model version knows, plus any `more`
 * (stored intents of other versions): plain data, so a server page can hand it to a client component.
 */
export async function intentNames(botId: string, more: readonly string[] = []): Promise<Record<string, string>> {
  const facts = await activeFacts(botId);
  const bot = resolveBot(botId, facts);
  const intents = new Set([...(facts?.labels ?? []), ...more]);
  return Object.fromEntries([...intents].map((intent) => [intent, bot.labelOf(intent, 'operator')]));
}
