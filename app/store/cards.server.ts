// 户卡: a printable card per household with its number, head and a static QR that only identifies
// the household (JFHK:<id>); spending still needs the household PIN at the counter.
import QRCode from "qrcode";
import { CARD_QR_PREFIX } from "./checkout.server";
import { stmt } from "~/platform/database.server";

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
  const where = "h.village_id = ? and (? is null or h.id = ?) and (? is null or h.grid_id = ?)";
  const args = [villageId, opts.householdId ?? null, opts.householdId ?? null, opts.gridId ?? null, opts.gridId ?? null];
  const total = (stmt(`select count(*) as n from households h where ${where}`).get(...args) as { n: number }).n;
  const first = Math.min(Math.max(0, (opts.batch ?? 1) - 1) * CARDS_PER_BATCH, Math.max(0, total - 1));
  const rows = stmt(
    `select h.id, h.number, h.address, g.name as grid,
       (select name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1) as head
     from households h left join grids g on g.id = h.grid_id
     where ${where} order by h.number limit ? offset ?`,
  ).all(...args, CARDS_PER_BATCH, first) as Omit<HouseholdCard, "qr">[];
  const cards = await Promise.all(
    rows.map(async (r) => {
      // Fixed mask: a whole grid of cards is drawn per request (see qrDataUrl).
      const svg = await QRCode.toString(`${CARD_QR_PREFIX}${r.id}`, { type: "svg", errorCorrectionLevel: "M", margin: 1, maskPattern: 0 });
      return { ...r, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
    }),
  );
  return { cards, total, first };
}

export function villageGrids(villageId: number): { id: number; name: string }[] {
  return stmt("select id, name from grids where village_id = ? order by id").all(villageId) as { id: number; name: string }[];
}
