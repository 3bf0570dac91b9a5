-- CreateTable
CREATE TABLE "alert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "basis" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "threshold" TEXT NOT NULL,
    "repeatMode" TEXT NOT NULL DEFAULT 'once',
    "rearmBand" TEXT,
    "cooldownSeconds" INTEGER,
    "note" TEXT,
    "status" TEXT NOT NULL DEFAULT 'armed',
    "arming" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "triggeredAt" DATETIME,
    "expiresAt" DATETIME,
    CONSTRAINT "alert_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "notification" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "alertId" TEXT,
    "userId" TEXT NOT NULL,
    "arming" INTEGER NOT NULL,
    "product" TEXT NOT NULL,
    "basis" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "threshold" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "tradeId" BIGINT NOT NULL,
    "tradeTime" TEXT NOT NULL,
    "windowCount" INTEGER NOT NULL,
    "firedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" DATETIME,
    "readAt" DATETIME,
    CONSTRAINT "notification_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "alert" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "alert_userId_createdAt_idx" ON "alert"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "alert_status_idx" ON "alert"("status");

-- CreateIndex
CREATE INDEX "notification_userId_id_idx" ON "notification"("userId", "id");

-- CreateIndex
CREATE INDEX "notification_userId_deliveredAt_idx" ON "notification"("userId", "deliveredAt");

-- CreateIndex
CREATE UNIQUE INDEX "notification_alertId_arming_key" ON "notification"("alertId", "arming");
