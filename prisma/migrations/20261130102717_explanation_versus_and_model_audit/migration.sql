-- CreateTable
CREATE TABLE "ModelAudit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "botId" TEXT NOT NULL,
    "modelVersion" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "warnings" INTEGER NOT NULL,
    "seconds" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Explanation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "predictionId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "versus" TEXT NOT NULL DEFAULT '',
    "settings" JSONB NOT NULL,
    "payload" JSONB NOT NULL,
    "comprehensiveness" REAL,
    "sufficiency" REAL,
    "durationMs" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Explanation_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Explanation" ("comprehensiveness", "createdAt", "durationMs", "id", "method", "payload", "predictionId", "settings", "sufficiency") SELECT "comprehensiveness", "createdAt", "durationMs", "id", "method", "payload", "predictionId", "settings", "sufficiency" FROM "Explanation";
DROP TABLE "Explanation";
ALTER TABLE "new_Explanation" RENAME TO "Explanation";
CREATE INDEX "Explanation_method_createdAt_idx" ON "Explanation"("method", "createdAt");
CREATE UNIQUE INDEX "Explanation_predictionId_method_versus_key" ON "Explanation"("predictionId", "method", "versus");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ModelAudit_botId_modelVersion_createdAt_idx" ON "ModelAudit"("botId", "modelVersion", "createdAt");
