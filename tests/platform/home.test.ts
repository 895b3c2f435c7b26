// The villager's home page points at a campaign they can take part in right now.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";

let server: TestServer;
let database: Engine;
beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
});
afterAll(async () => {
  database?.sqlite.close();
  await server?.stop();
});

describe("home page", () => {
  it("links a villager to the campaign now open for nominations in their village, and only theirs", async () => {
    const v = database.sqlite.prepare("select id from villages order by id").all() as { id: number }[];
    const open = database.sqlite.prepare("select id, title from campaigns where village_id = ? and confirmed_at is null and nominate_from <= ? and nominate_until > ?").get(v[0].id, Date.now(), Date.now()) as { id: number; title: string };
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
