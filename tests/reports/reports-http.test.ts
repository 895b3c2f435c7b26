// The dashboard and the village report through the production server, on the demo township: who
// gets which page, the headline figures against the server's own ledger summed here, the charts and
// their tables present in the HTML (no script needed), and the way in from the township page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";
import { htmlText } from "../support/sweep";

let server: TestServer;
let database: Engine;
let q: Sql;
const clients: Record<"township" | "admin" | "committee" | "villager", Client> = {} as never;

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  for (const [who, phone] of [["township", "13900000000"], ["admin", "13900000005"], ["committee", "13900000003"], ["villager", "13900000001"]] as const) {
    clients[who] = new Client(server.url);
    await clients[who].login(phone);
  }
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

/** The last twelve China-time months up to now, as epoch bounds. */
function lastTwelveMonths(): { start: number; end: number } {
  const china = new Date(Date.now() + 8 * 3600_000);
  const y = china.getUTCFullYear();
  const m = china.getUTCMonth();
  return { start: Date.UTC(y, m - 11, 1) - 8 * 3600_000, end: Date.UTC(y, m + 1, 1) - 8 * 3600_000 };
}

/** Awarded to households over the range, and what households hold now: summed from ledger_entries. */
async function ledgerFigures(villageId: number | null) {
  const { start, end } = lastTwelveMonths();
  const scope = villageId === null ? "" : "and a.village_id = ?";
  const args = villageId === null ? [] : [villageId];
  const issued = await q.value(
    `select coalesce(sum(e.amount), 0) from ledger_entries e join accounts a on a.id = e.account_id join ledger_transactions t on t.id = e.txn_id
      where a.kind = 'household' and t.kind = 'award' and e.created_at >= ? and e.created_at < ? ${scope}`,
    start, end, ...args,
  );
  const held = await q.value(`select coalesce(sum(e.amount), 0) from ledger_entries e join accounts a on a.id = e.account_id where a.kind = 'household' ${scope}`, ...args);
  return { issued: Number(issued), held: Number(held) };
}

const shown = (html: string, id: string) => Number(htmlText(new RegExp(`data-testid="${id}">([^<]*)<`).exec(html)?.[1] ?? "NaN"));

describe("the township dashboard", () => {
  it("is linked from the township page", async () => {
    const r = await clients.township.get("/township");
    expect(r.text).toContain('href="/township/dashboard"');
  });

  it("shows what the ledger says, with charts and their tables, for the township admin only", async () => {
    const r = await clients.township.get("/township/dashboard");
    expect(r.status).toBe(200);
    const truth = await ledgerFigures(null);
    expect(truth.issued).toBeGreaterThan(0);
    expect(shown(r.text, "total-issued")).toBe(truth.issued);
    expect(shown(r.text, "total-outstanding")).toBe(truth.held);
    // Drawn on the server: each chart an SVG with its title, each beside a table.
    expect((r.text.match(/<svg[^>]*role="img"/g) ?? []).length).toBeGreaterThanOrEqual(5);
    expect((r.text.match(/<section class="card chart-pair[ "]/g) ?? []).length).toBe((r.text.match(/<div class="table-wrap figures">/g) ?? []).length);
    const villages = await q.all<{ id: number }>("select id from villages");
    for (const v of villages) expect(r.text).toContain(`href="/v/${v.id}/report?from=`);
    for (const who of ["admin", "committee", "villager"] as const) expect((await clients[who].get("/township/dashboard")).status).toBe(403);
  });

  it("compares a chosen figure village by village, month by month", async () => {
    const r = await clients.township.get("/township/dashboard?figure=redeemed");
    expect(r.status).toBe(200);
    expect(r.text).toContain('data-testid="matrix"');
    expect(htmlText(r.text)).toContain("各村逐月对比：兑换");
  });
});

describe("the village report", () => {
  it("shows the village's own figures to its admin and committee, and to the township admin", async () => {
    const villages = await q.all<{ id: number }>("select id from villages order by id");
    const own = villages[0].id;
    const truth = await ledgerFigures(own);
    for (const who of ["admin", "committee", "township"] as const) {
      const r = await clients[who].get(`/v/${own}/report`);
      expect(r.status, who).toBe(200);
      expect(shown(r.text, "total-issued")).toBe(truth.issued);
      expect(shown(r.text, "total-outstanding")).toBe(truth.held);
      expect(htmlText(r.text)).toContain("各网格");
    }
    // Another village's report: not for this village's admin or committee; never for a villager.
    expect((await clients.admin.get(`/v/${villages[1].id}/report`)).status).toBe(403);
    expect((await clients.committee.get(`/v/${villages[1].id}/report`)).status).toBe(403);
    expect((await clients.villager.get(`/v/${own}/report`)).status).toBe(403);
    expect((await clients.township.get(`/v/${villages[1].id}/report`)).status).toBe(200);
    expect((await clients.township.get("/v/99999999/report")).status).toBe(404);
  });

  it("prints on A4 landscape without the app's header and menu", async () => {
    const r = await clients.admin.get("/v/1/report");
    const css = /<link rel="stylesheet" href="(\/build\/_assets\/reports-[^"]+\.css)"/.exec(r.text)?.[1];
    expect(css).toBeDefined();
    const sheet = (await clients.admin.get(css!)).text;
    expect(sheet).toMatch(/@page\s*\{\s*size:\s*A4 landscape/);
    expect(sheet).toContain("@media print");
  });
});
