// A list of ledger entries as a villager reads them: what, when, who, how many points.
import { formatTime } from "~/platform/format";
import type { EntryView } from "./statement.server";
import { ListRow } from "~/ui/list-row";
import { appealTag } from "~/appeals/labels";

const KIND: Record<string, string> = { award: "奖励", deduction: "扣分", redemption: "兑换", reversal: "冲正", adjustment: "调整", expiry: "过期" };

/** `appealLinks`: the household's own statement, where an entry still in its appeal period links to 申诉. */
export function EntryList({ entries, appealLinks = false }: { entries: EntryView[]; appealLinks?: boolean }) {
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
              {e.appeal ? <span className={`tag appeal-${e.appeal.status}`}>{appealTag(e.appeal)}</span> : null}
            </>
          }
          when={
            <>
              {formatTime(e.at)}
              {e.member ? ` · ${e.member}` : ""}
              {appealLinks && e.appeal ? <span className="appeal-line"><a className="appeal-link" href={`/appeals/${e.appeal.id}`}>看申诉</a></span> : null}
              {appealLinks && e.appealable ? <span className="appeal-line"><a className="appeal-link" href={`/appeals/new?txn=${e.txnId}`}>申诉</a></span> : null}
            </>
          }
          delta={e.amount}
        />
      ))}
    </ul>
  );
}
