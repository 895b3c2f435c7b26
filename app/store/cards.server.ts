// 户卡: a printable card per household with its number, head and a static QR that only identifies
// the household (JFHK:<id>); spending still needs the household PIN at the counter.
import QRCode from "qrcode";
import { CARD_QR_PREFIX } from "./checkout.server";
import { db } from "~/platform/database.server";

export interface HouseholdCard {
  id: number;
  number: string;
  head: string | null;
  address: string;
  grid: string | null;
  qr: string;
}

/** Cards per printing batch: 20 A4 sheets; a bigger village prints batch after batch, never silently cut off. */
export const CARDS_PER_BATCH = 200;

export async function householdCards(
  villageId: number,
  opts: { householdId?: number | null; gridId?: number | null; batch?: number },
): Promise<{ cards: HouseholdCard[]; total: number; first: number }> {
  let households = db().selectFrom("households as h").where("h.village_id", "=", villageId);
  if (opts.householdId != null) households = households.where("h.id", "=", opts.householdId);
  if (opts.gridId != null) households = households.where("h.grid_id", "=", opts.gridId);
  const { n: total } = await households.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const first = Math.min(Math.max(0, (opts.batch ?? 1) - 1) * CARDS_PER_BATCH, Math.max(0, total - 1));
  const rows = await households
    .leftJoin("grids as g", "g.id", "h.grid_id")
    .leftJoin("members as hm", (j) => j.onRef("hm.household_id", "=", "h.id").on((eb) => eb.and([eb("hm.is_head", "=", eb.lit(1)), eb("hm.active", "=", eb.lit(1))])))
    .select(["h.id", "h.number", "h.address", "g.name as grid", "hm.name as head"])
    .orderBy("h.number")
    .limit(CARDS_PER_BATCH)
    .offset(first)
    .execute();
  const cards = await Promise.all(
    rows.map(async (r) => {
      // Fixed mask: a whole grid of cards is drawn per request (see qrDataUrl).
      const svg = await QRCode.toString(`${CARD_QR_PREFIX}${r.id}`, { type: "svg", errorCorrectionLevel: "M", margin: 1, maskPattern: 0 });
      return { ...r, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
    }),
  );
  return { cards, total, first };
}

export function villageGrids(villageId: number): Promise<{ id: number; name: string }[]> {
  return db().selectFrom("grids").select(["id", "name"]).where("village_id", "=", villageId).orderBy("id").execute();
}
