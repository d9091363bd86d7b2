import { getConfig } from '@/lib/config';
import { Chat } from '@/lib/ui/chat/chat';

// The ONNX runtime's files are served by this app from a folder named by their version.
const runtimePath = `/ort/${process.env.NEXT_PUBLIC_ORT_VERSION}/`;

export default function ChatPage() {
  return <Chat bot={getConfig().DEFAULT_BOT} runtimePath={runtimePath} />;
}
