// Two committee members in two processes approve two claims at once; together they would pass the
// cap by one claim. Exactly one approval wins, the other is told which cap and what remains.
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import { approveClaim, claimRow, fileClaimBatch } from "~/claims/claims.server";
import { sqlOn } from "../support/sql";
import { now } from "~/platform/clock.server";
import { insertUser } from "~/people/users.server";
import { exited, spawnWorker } from "../ledger/helpers";
import { claimVillage } from "./fixture";
import path from "node:path";

const WORKER = path.join("..", "..", "claims", "workers", "approve-worker.ts"); // relative to tests/ledger/workers

function start(cfg: object): { proc: ChildProcess; out: Promise<string>; ready: Promise<void> } {
  const proc = spawnWorker(WORKER, { CONFIG: JSON.stringify(cfg) }, true);
  let text = "";
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  proc.stdout!.setEncoding("utf8");
  proc.stdout!.on("data", (d: string) => {
    text += d;
    if (text.includes("READY")) onReady();
  });
  let err = "";
  proc.stderr!.on("data", (d) => (err += d));
  const out = exited(proc).then(() => {
    onReady();
    return text.replace("READY\n", "").trim() + err;
  });
  return { proc, out, ready };
}

describe("two approvals race for the last unit of a cap", () => {
  it("in separate processes, exactly one wins, three rounds", async () => {
    const v = await claimVillage("RACE");
    const third = await insertUser({ phone: "13811112222", passwordHash: "x", displayName: "村委丙", memberId: null, mustChangePassword: false, roles: [{ role: "committee", villageId: v.villageId }] });
    for (let round = 0; round < 3; round++) {
      // member_month cap 20 at 10 a claim: one approved already leaves room for exactly one more.
      const memberId = [v.memberA, v.memberA2, v.memberB][round];
      const file = async () =>
        (await fileClaimBatch({ villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" }, items: [{ memberId, ruleId: v.rules.capped, occurredAt: now() - 60_000, quantity: 1, note: "" }] }))[0];
      // Filing counts pending claims too, so the two racing claims are filed while the cap is still
      // 30 and the committee lowers it to 20 before reviewing them.
      await sqlOn().run("update rules set cap_member_month = 30 where id = ?", v.rules.capped);
      const first = await file();
      await approveClaim(v.villageId, first, { userId: third, role: "committee" });
      const a = await file();
      const b = await file();
      await sqlOn().run("update rules set cap_member_month = 20 where id = ?", v.rules.capped);
      // committee2 lives in household B: in the round for B, committee1 and the third member race
      const [ua, ub] = memberId === v.memberB ? [v.committee1, third] : [v.committee1, v.committee2];
      const wa = start({ villageId: v.villageId, claimId: a, userId: ua });
      const wb = start({ villageId: v.villageId, claimId: b, userId: ub });
      await Promise.all([wa.ready, wb.ready]);
      wa.proc.stdin!.write("GO\n");
      wb.proc.stdin!.write("GO\n");
      const outs = await Promise.all([wa.out, wb.out]);
      expect(outs.filter((o) => o === "OK"), outs.join(" | ")).toHaveLength(1);
      expect(outs.find((o) => o !== "OK")).toBe("ERR 超出上限：这条细则该成员每月最多 20 分，当月已有 20 分，还剩 0 分，本次 10 分");
      const statuses = [(await claimRow(a)).status, (await claimRow(b)).status].sort();
      expect(statuses).toEqual(["notice", "pending"]);
    }
  }, 60_000);
});
