// A list of ledger entries as a villager reads them: what, when, who, how many points.
import { formatTime } from "~/platform/format";
import type { EntryView } from "./statement.server";
import { ListRow } from "~/ui/list-row";

const KIND: Record<string, string> = { award: "奖励", deduction: "扣分", redemption: "兑换", reversal: "冲正", adjustment: "调整", expiry: "过期" };

export function EntryList({ entries }: { entries: EntryView[] }) {
  if (entries.length === 0) return <p className="muted">还没有积分记录</p>;
  return (
    <ul className="entries">
      {entries.map((e) => (
        <ListRow
          key={e.id}
          what={
            <>
              {e.memo}
              <span className="tag">{KIND[e.kind] ?? e.kind}</span>
              {e.reversed ? <span className="tag">已冲正</span> : null}
            </>
          }
          when={
            <>
              {formatTime(e.at)}
              {e.member ? ` · ${e.member}` : ""}
            </>
          }
          delta={e.amount}
        />
      ))}
    </ul>
  );
}
