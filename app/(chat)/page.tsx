import { ChatShell } from '@/lib/ui/chat/chat-shell';

export default function ChatPage() {
  return <ChatShell botName="Lumen Bank assistant" />;
}
