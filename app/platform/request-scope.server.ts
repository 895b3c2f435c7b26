// What the server's request log learns from inside the app: the signed-in user, found deep in
// getViewer (which sees only the Request, and single fetch hands loaders a copy of it). The server
// runs each request inside a scope object it later reads for the log line.
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestScope {
  userId: number | null;
}

const scope = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(s: RequestScope, fn: () => T): T {
  return scope.run(s, fn);
}

export function noteUser(userId: number): void {
  const s = scope.getStore();
  if (s) s.userId = userId;
}
