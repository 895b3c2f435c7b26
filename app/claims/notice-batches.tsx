// The 公示栏 folds a batch of claims filed together (a sanitation round, an activity, a campaign)
// into one line that opens to the full list: a round adds a hundred households at once, which
// would otherwise bury the single claims villagers look for.
import type { ReactNode } from "react";

interface Batchable {
  id: number;
  points: number;
  source_kind: string | null;
  source_id: number | null;
}

export type Shown<T> = { row: T } | { key: string; title: string; rows: T[] };

/** Single rows stay in place; a batch of at least `min` rows becomes one group where its first row was. */
export function foldBatches<T extends Batchable>(rows: T[], titles: Record<string, string>, min = 5): Shown<T>[] {
  const byKey = new Map<string, T[]>();
  for (const r of rows) {
    const key = `${r.source_kind}:${r.source_id}`;
    if (titles[key]) byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const out: Shown<T>[] = [];
  const placed = new Set<string>();
  for (const r of rows) {
    const key = `${r.source_kind}:${r.source_id}`;
    const batch = byKey.get(key);
    if (!batch || batch.length < min) out.push({ row: r });
    else if (!placed.has(key)) {
      placed.add(key);
      out.push({ key, title: titles[key], rows: batch });
    }
  }
  return out;
}

export function BatchGroup<T extends Batchable>({ group, open, render }: { group: { key: string; title: string; rows: T[] }; open: boolean; render: (row: T) => ReactNode }) {
  const total = group.rows.reduce((n, r) => n + r.points, 0);
  return (
    <li className="batch" data-testid={`batch-${group.key}`}>
      <details open={open}>
        <summary>
          <strong>{group.title}</strong> · {group.rows.length} 条，合计 {total > 0 ? `+${total}` : total} 分
          <span className="muted small"> （点开看每户）</span>
        </summary>
        <ul className="entries">{group.rows.map(render)}</ul>
      </details>
    </li>
  );
}
