/** Room of every socket of one user: alert hits go here. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** Room of every socket watching one product: ticks go here. */
export function productRoom(product: string): string {
  return `product:${product}`;
}
