// The trivial route: measures the framework's ceiling in the benchmark, and serves as a health check.
export function loader() {
  return new Response("ok", { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}
