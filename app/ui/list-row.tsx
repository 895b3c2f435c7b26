// One row of an `.entries` list: what it is, when (and by whom), and a figure on the right.
import type { ReactNode } from "react";

type Figure = { amount: ReactNode; delta?: never } | { delta: number; amount?: never };

/** `delta` shows a signed change (+5 green, -3 red); `amount` shows any figure as it is. */
export function ListRow({ what, when, ...figure }: { what: ReactNode; when: ReactNode } & Figure) {
  return (
    <li>
      <div className="what">
        <div>{what}</div>
        <div className="when">{when}</div>
      </div>
      {figure.delta === undefined ? (
        <div className="amount">{figure.amount}</div>
      ) : (
        <div className={`amount ${figure.delta > 0 ? "plus" : "minus"}`}>{figure.delta > 0 ? `+${figure.delta}` : figure.delta}</div>
      )}
    </li>
  );
}
