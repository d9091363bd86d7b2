import { intentLabel, loadBotContent } from '@/lib/bot/answers';

/** Out-of-scope label the training pipeline understands (training/README.md, "Input"). */
export const OUT_OF_SCOPE = 'out_of_scope';

/** The intents a reviewer may relabel to: the bot's own, plus out of scope. */
export function reviewIntents(botId = 'banking77'): { intent: string; label: string }[] {
  const content = loadBotContent(botId);
  return [
    ...Object.keys(content.intents)
      .map((intent) => ({ intent, label: intentLabel(content, intent, 'operator') }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    { intent: OUT_OF_SCOPE, label: content.outOfScope.operatorLabel },
  ];
}

export function labelOf(botId = 'banking77'): (intent: string) => string {
  const content = loadBotContent(botId);
  return (intent) => (intent === OUT_OF_SCOPE ? content.outOfScope.operatorLabel : intentLabel(content, intent, 'operator'));
}
