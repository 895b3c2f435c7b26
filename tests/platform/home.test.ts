// The villager's home page points at a campaign they can take part in right now.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";

let server: TestServer;
let database: Engine;
beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

describe("home page", () => {
  it("links a villager to the campaign now open for nominations in their village, and only theirs", async () => {
    const q = sqlOn(database);
    const v = await q.all<{ id: number }>("select id from villages order by id");
    const open = (await q.get<{ id: number; title: string }>("select id, title from campaigns where village_id = ? and confirmed_at is null and nominate_from <= ? and nominate_until > ? order by id", v[0].id, Date.now(), Date.now()))!;
    expect(open).toBeDefined();
    const villager = new Client(server.url);
    await villager.login("13900000001");
    const home = (await villager.get("/")).text;
    expect(home).toContain('data-testid="campaign-to-join"');
    expect(home).toContain(`href="/campaigns/${open.id}"`);
    expect(home).toContain("去提名");
    // A villager of the other village is not sent to it.
    const other = new Client(server.url);
    await other.login("13900000011");
    expect((await other.get("/")).text).not.toContain(`href="/campaigns/${open.id}"`);
  });
});
