// One inspector saving one household's scores in its own process (see ../save-race.test.ts).
// Prints READY, waits for a line on stdin (the start signal), saves from a page that showed no
// score yet (version 0), prints OK <total> or REFUSED <status> <message>.
import fs from "node:fs";
import { closeDatabase, unitOfWork } from "~/platform/database.server";
import { saveScores } from "~/sanitation/inspections.server";
import { roundIn } from "~/sanitation/rounds.server";

const cfg = JSON.parse(process.env.CONFIG!) as { villageId: number; roundId: number; householdId: number; userId: number; scores: number[] };
const say = (line: string) => fs.writeSync(1, `${line}\n`);
await unitOfWork(async () => {}); // open the database before the start signal, so both start level (the driver, a first transaction)
const round = await roundIn(cfg.villageId, cfg.roundId);
say("READY");
const buf = Buffer.alloc(64);
fs.readSync(0, buf, 0, buf.length, null);
const raw: Record<string, string> = { version: "0", note: "" };
cfg.scores.forEach((s, i) => (raw[`s${i}`] = String(s)));
const form = new FormData();
for (const [k, v] of Object.entries(raw)) form.append(k, v);
const out = await saveScores({ userId: cfg.userId, role: "inspector" }, round, cfg.householdId, form, raw);
say(out.ok ? `OK ${out.total}` : `REFUSED ${out.status} ${out.errors._form ?? JSON.stringify(out.errors)}`);
await closeDatabase(); // PostgreSQL's idle pooled connections would keep the process alive for seconds
