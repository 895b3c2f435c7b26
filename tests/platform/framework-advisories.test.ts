// The framework's advisories on our locked versions (decision 0027): each test shows the attack
// against our own server, or pins the fixed code that the attack needs to be absent.
import { createRequire } from "node:module";
import { Client, startServer, type TestServer } from "../support/harness";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("CVE-2026-55685: the route manifest endpoint", () => {
  it("is not served: a request of thousands of path segments costs a 404 page, not seconds of route matching", async () => {
    // The build's version is public: inline in the page, or in the manifest file the page loads.
    const html = await (await fetch(`${server.url}/login`)).text();
    const file = /\/build\/manifest-[A-Za-z0-9]+\.js/.exec(html)?.[0];
    const version = /"version":"([^"]+)"/.exec(file ? await (await fetch(server.url + file)).text() : html)?.[1];
    expect(version).toBeTruthy();
    // Slashes need no escaping in a query: 3,500 segments stay under Remix's 7,680-character URL limit.
    const attack = await fetch(`${server.url}/__manifest?p=/${Array(3500).fill("a").join("/")}&version=${version}`);
    expect(attack.status).toBe(404);
    expect(attack.headers.get("content-type")).toMatch(/text\/html/);
    // The request a browser would send for a page's links is not answered either: every route loads
    // with the page's manifest file instead.
    const plain = await fetch(`${server.url}/__manifest?p=%2Fstatement&version=${version}`);
    expect(plain.status).toBe(404);
  });

  it("pages load the whole route manifest as one immutable file", async () => {
    const html = await (await fetch(`${server.url}/login`)).text();
    const file = /\/build\/manifest-[A-Za-z0-9]+\.js/.exec(html)![0];
    const body = await (await fetch(server.url + file)).text();
    for (const id of ["routes/statement", "routes/store._index", "routes/v.$villageId.store.scan"]) expect(body).toContain(`"${id}"`);
  });
});

describe("CVE-2026-34077: turbo-stream serialises what an answer holds, item by item", () => {
  it("a form of 100,000 fields is refused in a few words, not echoed field by field", async () => {
    const villager = new Client(server.url);
    await villager.login("13900000001");
    const body = new URLSearchParams({ storeId: "1", nonce: "n".repeat(16) });
    for (let i = 0; i < 100_000; i++) body.append(`qty.${i}`, "x");
    for (const path of ["/store?index", "/store.data?index"]) {
      const r = await villager.post(path, body);
      expect(r.status).toBe(400);
      expect(r.text.length).toBeLessThan(20_000);
    }
    const page = await villager.post("/store?index", body);
    expect(page.text).toContain("提交的内容太多了");
  });
});

describe("GHSA-jjmj-jmhj-qwj2: open redirect to javascript: through client navigation", () => {
  // The router Remix's client and server use, as Node resolves it from @remix-run/react.
  const fromRemix = createRequire(createRequire(import.meta.url).resolve("@remix-run/react"));

  it("resolves the fixed router versions from Remix's own dependencies", () => {
    expect(fromRemix("@remix-run/router/package.json").version).toBe("1.23.4");
    expect(fromRemix("react-router-dom/package.json").version).toBe("6.30.6");
    expect(fromRemix("react-router/package.json").version).toBe("6.30.6");
  });

  it("never turns a javascript: or protocol-relative target into a location the browser would follow off-site", () => {
    const { resolvePath } = fromRemix("@remix-run/router") as typeof import("@remix-run/router");
    for (const to of ["javascript:alert(document.cookie)", "//evil.example/x", "JavaScript:alert(1)"]) {
      const p = resolvePath(to, "/login").pathname;
      expect(p.startsWith("/"), `${to} → ${p}`).toBe(true);
      expect(p.startsWith("//"), `${to} → ${p}`).toBe(false);
    }
  });
});
