-- CreateEnum
CREATE TYPE "AccountRole" AS ENUM ('admin', 'agent');

-- CreateEnum
CREATE TYPE "ConversationStatus" AS ENUM ('bot', 'waiting', 'assigned');

-- CreateEnum
CREATE TYPE "HandoffReason" AS ENUM ('requested', 'out_of_scope', 'unsure', 'unreadable', 'repeated');

-- CreateEnum
CREATE TYPE "HandoffStatus" AS ENUM ('waiting', 'assigned', 'resolved');

-- CreateEnum
CREATE TYPE "HandoffResolution" AS ENUM ('intent', 'new_topic', 'not_support');

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "status" "ConversationStatus" NOT NULL DEFAULT 'bot';

-- AlterTable
ALTER TABLE "AdminUser" ADD COLUMN     "role" "AccountRole" NOT NULL DEFAULT 'admin';

-- CreateTable
CREATE TABLE "Handoff" (
    "id" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "openConversationId" TEXT,
    "reason" "HandoffReason" NOT NULL,
    "triggerMessageId" TEXT NOT NULL,
    "snapshot" JSONB NOT NULL,
    "status" "HandoffStatus" NOT NULL DEFAULT 'waiting',
    "assigneeId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "resolution" "HandoffResolution",
    "resolutionIntent" TEXT,
    "resolutionTopic" TEXT,

    CONSTRAINT "Handoff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentMessage" (
    "id" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgentMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Handoff_openConversationId_key" ON "Handoff"("openConversationId");

-- CreateIndex
CREATE INDEX "Handoff_status_createdAt_idx" ON "Handoff"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Handoff_assigneeId_status_createdAt_idx" ON "Handoff"("assigneeId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "Handoff_conversationId_createdAt_idx" ON "Handoff"("conversationId", "createdAt");

-- CreateIndex
CREATE INDEX "Handoff_resolution_resolvedAt_idx" ON "Handoff"("resolution", "resolvedAt");

-- CreateIndex
CREATE INDEX "AgentMessage_conversationId_createdAt_idx" ON "AgentMessage"("conversationId", "createdAt");

-- CreateIndex
CREATE INDEX "Conversation_status_updatedAt_idx" ON "Conversation"("status", "updatedAt");

-- AddForeignKey
ALTER TABLE "Handoff" ADD CONSTRAINT "Handoff_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Handoff" ADD CONSTRAINT "Handoff_triggerMessageId_fkey" FOREIGN KEY ("triggerMessageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Handoff" ADD CONSTRAINT "Handoff_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "AdminUser"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentMessage" ADD CONSTRAINT "AgentMessage_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentMessage" ADD CONSTRAINT "AgentMessage_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "AdminUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
