import { connection } from 'next/server';
import { getConfig } from '@/lib/config';
import { activeVersion } from '@/lib/model/versions';
import { Chat } from '@/lib/ui/chat/chat';

// The ONNX runtime's files are served by this app from a folder named by their version.
const runtimePath = `/ort/${process.env.NEXT_PUBLIC_ORT_VERSION}/`;

export default async function ChatPage() {
  // Rendered per request, never at build time: the version served changes with a promotion.
  await connection();
  const bot = getConfig().DEFAULT_BOT;
  // The version the bot serves now (its bundled one on first use); the chat says it cannot start without one.
  const active = await activeVersion(bot).catch((error: unknown) => {
    console.error(`The active model version of bot "${bot}" could not be read.`, error);
    return null;
  });
  return <Chat bot={bot} version={active?.hash ?? null} runtimePath={runtimePath} />;
}
