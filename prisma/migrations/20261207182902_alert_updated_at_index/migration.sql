-- CreateIndex
CREATE INDEX "alert_updatedAt_idx" ON "alert"("updatedAt");
