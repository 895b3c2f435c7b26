// The work tiles of the home and 工作 pages: counter jobs first and large, then the other jobs, each
// saying what waits behind it (审核申报 · 12 条待审). Plain links: they work without scripts.
import { Link } from "@remix-run/react";
import { WAIT_WORDS, type WaitKind } from "~/platform/nav";

export interface TileView {
  to: string;
  label: string;
  counter: boolean;
  hint: string | null;
  waits: { n: number; kind: WaitKind } | null;
}

function Tile({ t }: { t: TileView }) {
  return (
    <Link to={t.to} className={t.counter ? "tile counter" : "tile"}>
      <span className="name">{t.label}</span>
      {t.waits ? (
        <span className={t.waits.n > 0 ? "waits" : "waits none"} data-count={t.waits.n}>
          {t.waits.n} {WAIT_WORDS[t.waits.kind]}
        </span>
      ) : t.hint ? <span className="hint">{t.hint}</span> : null}
    </Link>
  );
}

export function WorkTiles({ tiles }: { tiles: TileView[] }) {
  const counter = tiles.filter((t) => t.counter);
  const rest = tiles.filter((t) => !t.counter);
  return (
    <>
      {counter.length ? (
        <div className="counter-tiles">
          {counter.map((t) => <Tile key={t.to} t={t} />)}
        </div>
      ) : null}
      {rest.length ? (
        <div className="work-tiles">
          {rest.map((t) => <Tile key={t.to} t={t} />)}
        </div>
      ) : null}
    </>
  );
}
