// Where a form may send the browser back to after it is done: only a path on this site.

/** `next` when it is a path on this site; "/" otherwise ("/\\evil.example" and "/\t/evil.example" are other hosts to a browser). */
export function localPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || /[\\\u0000-\u001f]/.test(next)) return "/";
  const url = new URL(next, "http://here.invalid");
  return url.origin === "http://here.invalid" ? url.pathname + url.search : "/";
}
