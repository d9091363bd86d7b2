import 'server-only';
import { getConfig } from '@/lib/config';
import { botFacts, servedBot } from '@/lib/verify/bots';

/**
 * The intents a reviewer may relabel to: the bot's own (by their operator names), plus out of
 * scope under the label a review stores for it (`Bot.reviewOutOfScopeLabel`, which the training
 * export writes as is). A bot with no answers in this build offers its model's labels.
 */
export function reviewIntents(botId = getConfig().DEFAULT_BOT): { intent: string; label: string }[] {
  const bot = servedBot(botId);
  const intents = bot.content ? Object.keys(bot.content.intents) : (botFacts(botId)?.labels ?? []);
  return [
    ...intents
      .filter((intent) => !bot.isOutOfScope(intent))
      .map((intent) => ({ intent, label: bot.labelOf(intent, 'operator') }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    { intent: bot.reviewOutOfScopeLabel, label: bot.labelOf(bot.reviewOutOfScopeLabel, 'operator') },
  ];
}

/** How an operator reads the intents of `botId`'s predictions. */
export function labelOf(botId = getConfig().DEFAULT_BOT): (intent: string) => string {
  const bot = servedBot(botId);
  return (intent) => bot.labelOf(intent, 'operator');
}

/**
 * The operator's name of every intent `botId`'s model knows, plus any `more` (stored intents of a
 * model since retrained): plain data, so a server page can hand it to a client component.
 */
export function intentNames(botId: string, more: readonly string[] = []): Record<string, string> {
  const bot = servedBot(botId);
  const intents = new Set([...(botFacts(botId)?.labels ?? []), ...more]);
  return Object.fromEntries([...intents].map((intent) => [intent, bot.labelOf(intent, 'operator')]));
}
