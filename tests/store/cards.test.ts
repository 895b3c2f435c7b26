// 户卡 printing: a village bigger than one batch prints batch after batch, every household once.
import { describe, expect, it } from "vitest";
import { CARDS_PER_BATCH, householdCards } from "~/store/cards.server";
import { unitOfWork } from "~/platform/database.server";
import { createHousehold } from "~/people/households.server";
import { createVillage, ensureTownship } from "~/people/villages.server";

describe("household cards", () => {
  it("prints every household exactly once across batches, never cut off silently", async () => {
    const villageId = await createVillage({ townshipId: await ensureTownship("测试镇"), name: "户卡村", code: "HK" });
    const n = CARDS_PER_BATCH + 12;
    await unitOfWork(async () => {
      for (let i = 1; i <= n; i++) await createHousehold({ villageId, gridId: null, number: String(i).padStart(3, "0"), address: "", members: [{ name: `户主${i}`, relation: "户主" }] });
    });
    const one = await householdCards(villageId, { batch: 1 });
    const two = await householdCards(villageId, { batch: 2 });
    expect(one).toMatchObject({ total: n, first: 0 });
    expect(two).toMatchObject({ total: n, first: CARDS_PER_BATCH });
    const numbers = [...one.cards, ...two.cards].map((c) => c.number);
    expect(numbers).toEqual(Array.from({ length: n }, (_, i) => String(i + 1).padStart(3, "0")));
    expect(one.cards[0].qr).toMatch(/^data:image\/svg\+xml;base64,/);
    // A batch past the end shows the last cards rather than nothing.
    expect((await householdCards(villageId, { batch: 9 })).cards.length).toBeGreaterThan(0);
  });
});
