import 'server-only';
import { botFacts, servedBot } from '@/lib/verify/bots';

/**
 * The labels a review may give a message of `botId`'s conversations: the labels of the bot's
 * model (read once per process with everything else ingest checks records against), plus the
 * label a review stores for out of scope (`Bot.reviewOutOfScopeLabel`). "Mark correct" keeps
 * the intent the browser reported, which is only a label when the model has it: checked against
 * this set, so no string a client made up becomes training data. Empty for a bot with no model
 * served here.
 */
export function reviewLabels(botId: string): ReadonlySet<string> {
  const facts = botFacts(botId);
  return new Set(facts ? [...facts.labels, servedBot(botId).reviewOutOfScopeLabel] : []);
}
