import fs from 'node:fs';
import path from 'node:path';
import type { ApiRoute } from '../../server/http/api-router.ts';
import { ROOT_DIR } from './test-app.ts';

/**
 * Every JSON API route the server declares, as `METHOD /path`, read from the route modules in
 * `server/http/routes/` (each exports `<name>Routes(...deps)` returning `ApiRoute[]`). Building
 * a route list calls no dependency, so empty stand-ins are enough.
 */
export async function declaredApiRoutes(): Promise<string[]> {
  const dir = path.join(ROOT_DIR, 'server/http/routes');
  const keys: string[] = [];
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.ts')).sort()) {
    const module = (await import(path.join(dir, file))) as Record<string, unknown>;
    for (const [name, factory] of Object.entries(module)) {
      if (typeof factory !== 'function' || !name.endsWith('Routes')) continue;
      const routes = (factory as (...deps: object[]) => ApiRoute[])(...Array.from({ length: factory.length }, () => ({})));
      keys.push(...routes.map((route) => `${route.method} ${route.path}`));
    }
  }
  return keys.sort();
}
