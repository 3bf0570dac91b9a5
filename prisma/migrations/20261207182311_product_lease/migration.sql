-- CreateTable
CREATE TABLE "product_lease" (
    "product" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "expiresAt" DATETIME NOT NULL
);
