// Review findings on activities: each test failed before its fix.
import { afterEach, describe, expect, it } from "vitest";
import { markAttendance, removeAttendance } from "~/activities/checkin.server";
import { closeActivity } from "~/activities/close.server";
import { clockControl } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { activityVillage, newActivity } from "./fixture";

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 10, 20, 1, 0, 7);
afterEach(() => clockControl.reset());

describe("attendance of a member who left the roster", () => {
  it("can be removed, so the activity can still be closed for everyone else", async () => {
    clockControl.set(T0);
    const v = await activityVillage("RA1");
    const id = await newActivity(v, { startsIn: HOUR });
    const organiser = { userId: v.organiser, role: "inspector" as const, villageId: v.villageId };
    const [a, b] = v.villagers;
    await markAttendance(organiser, v.villageId, id, a.memberId);
    await markAttendance(organiser, v.villageId, id, b.memberId);
    await sqlOn().run("update members set active = 0 where id = ?", b.memberId); // moved away before the close
    clockControl.set(T0 + 5 * HOUR);
    expect(await closeActivity({ userId: v.committee, role: "committee" }, v.villageId, id)).toMatchObject({ ok: false });
    expect(await removeAttendance(organiser, v.villageId, id, b.memberId)).toMatchObject({ ok: true });
    expect(await closeActivity({ userId: v.committee, role: "committee" }, v.villageId, id)).toEqual({ ok: true, claims: 1 });
  });
});
