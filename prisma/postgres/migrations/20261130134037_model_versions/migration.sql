-- CreateEnum
CREATE TYPE "ModelChangeAction" AS ENUM ('register', 'activate', 'promote', 'rollback', 'retire');

-- AlterTable
ALTER TABLE "Prediction" ADD COLUMN     "verificationReason" TEXT;

-- CreateTable
CREATE TABLE "ModelVersion" (
    "botId" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),
    "retiredReason" TEXT,

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("botId","hash")
);

-- CreateTable
CREATE TABLE "ActiveModel" (
    "botId" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ActiveModel_pkey" PRIMARY KEY ("botId")
);

-- CreateTable
CREATE TABLE "ModelChange" (
    "id" TEXT NOT NULL,
    "botId" TEXT NOT NULL,
    "action" "ModelChangeAction" NOT NULL,
    "fromHash" TEXT,
    "toHash" TEXT,
    "actorId" TEXT,
    "actorName" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelReplay" (
    "id" TEXT NOT NULL,
    "botId" TEXT NOT NULL,
    "candidateHash" TEXT NOT NULL,
    "activeHash" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "messages" INTEGER NOT NULL,
    "agreement" DOUBLE PRECISION NOT NULL,
    "seconds" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelReplay_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ModelVersion_botId_createdAt_idx" ON "ModelVersion"("botId", "createdAt");

-- CreateIndex
CREATE INDEX "ModelChange_botId_createdAt_idx" ON "ModelChange"("botId", "createdAt");

-- CreateIndex
CREATE INDEX "ModelReplay_botId_candidateHash_createdAt_idx" ON "ModelReplay"("botId", "candidateHash", "createdAt");

-- CreateIndex
CREATE INDEX "ModelReplay_botId_createdAt_idx" ON "ModelReplay"("botId", "createdAt");
