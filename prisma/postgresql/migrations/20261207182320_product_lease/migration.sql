-- CreateTable
CREATE TABLE "product_lease" (
    "product" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "product_lease_pkey" PRIMARY KEY ("product")
);
