import 'server-only';
import path from 'node:path';
import { knownBots } from '@/lib/bot/answers';
import { readModelCard } from '@/lib/model/node';
import { OUT_OF_SCOPE } from './intents';

const cache = new Map<string, ReadonlySet<string>>();

/**
 * The labels a review may give a message of `botId`'s conversations: the labels of the bot's
 * model (`public/models/<bot>/model-card.json`, the folder the browser loads and the server
 * verifies with), plus the training pipeline's out-of-scope label. "Mark correct" keeps the
 * intent the browser reported, which is only a label when the model has it: checked against
 * this set, so no string a client made up becomes training data. Empty for a bot without a
 * model card. The bot id comes from a record the browser posted: only known bots name a folder.
 */
export function reviewLabels(botId: string, modelsDir = path.join(process.cwd(), 'public', 'models')): ReadonlySet<string> {
  if (!knownBots().includes(botId)) return new Set();
  const key = `${modelsDir}\n${botId}`;
  let labels = cache.get(key);
  if (!labels) {
    // Only known bots get here; the folder ships with the app (lib/model/node.ts says how routes name it).
    const card = readModelCard(path.join(/*turbopackIgnore: true*/ modelsDir, botId));
    labels = new Set(card ? [...card.labels, OUT_OF_SCOPE] : []);
    cache.set(key, labels);
  }
  return labels;
}
