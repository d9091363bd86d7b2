-- AlterTable
ALTER TABLE "Prediction" ADD COLUMN "verificationReason" TEXT;

-- CreateTable
CREATE TABLE "ModelVersion" (
    "botId" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" DATETIME,
    "retiredReason" TEXT,

    PRIMARY KEY ("botId", "hash")
);

-- CreateTable
CREATE TABLE "ActiveModel" (
    "botId" TEXT NOT NULL PRIMARY KEY,
    "hash" TEXT NOT NULL,
    "changedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ModelChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "botId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "fromHash" TEXT,
    "toHash" TEXT,
    "actorId" TEXT,
    "actorName" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ModelReplay" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "botId" TEXT NOT NULL,
    "candidateHash" TEXT NOT NULL,
    "activeHash" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "messages" INTEGER NOT NULL,
    "agreement" REAL NOT NULL,
    "seconds" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ModelVersion_botId_createdAt_idx" ON "ModelVersion"("botId", "createdAt");

-- CreateIndex
CREATE INDEX "ModelChange_botId_createdAt_idx" ON "ModelChange"("botId", "createdAt");

-- CreateIndex
CREATE INDEX "ModelReplay_botId_candidateHash_createdAt_idx" ON "ModelReplay"("botId", "candidateHash", "createdAt");

-- CreateIndex
CREATE INDEX "ModelReplay_botId_createdAt_idx" ON "ModelReplay"("botId", "createdAt");
