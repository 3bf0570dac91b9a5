-- CreateTable
CREATE TABLE "trade" (
    "product" TEXT NOT NULL,
    "tradeId" BIGINT NOT NULL,
    "time" TEXT NOT NULL,
    "timeUs" BIGINT NOT NULL,
    "price" TEXT NOT NULL,
    "size" TEXT NOT NULL,
    "side" TEXT NOT NULL,

    PRIMARY KEY ("product", "tradeId")
);

-- CreateIndex
CREATE INDEX "trade_product_timeUs_idx" ON "trade"("product", "timeUs");
