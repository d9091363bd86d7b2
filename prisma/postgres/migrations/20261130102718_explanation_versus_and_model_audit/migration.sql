-- DropIndex
DROP INDEX "Explanation_predictionId_method_key";

-- AlterTable
ALTER TABLE "Explanation" ADD COLUMN     "versus" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "ModelAudit" (
    "id" TEXT NOT NULL,
    "botId" TEXT NOT NULL,
    "modelVersion" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "warnings" INTEGER NOT NULL,
    "seconds" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelAudit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ModelAudit_botId_modelVersion_createdAt_idx" ON "ModelAudit"("botId", "modelVersion", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Explanation_predictionId_method_versus_key" ON "Explanation"("predictionId", "method", "versus");
