/** CPU milliseconds of this process so far (user + system, GC threads included). */
export function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
