import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/campaigns/campaigns.css";
import { StateTag, windowText } from "~/campaigns/campaign";
import { villagerListPage } from "~/campaigns/pages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "评选 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return villagerListPage(request);
}

export default function Campaigns() {
  const { campaigns } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>评选</h1>
      <section className="card">
        <p className="muted small">好婆婆、好媳妇、文明家庭……大家提名，民主投票，村委确认后公布。</p>
        {campaigns.length === 0 ? <p className="muted">村里还没有评选</p> : null}
        <ul className="campaign-list">
          {campaigns.map((c) => (
            <li key={c.id}>
              <Link to={`/campaigns/${c.id}`}>
                <span className="title">
                  {c.title} <StateTag state={c.state} label={c.stateLabel} />
                </span>
                <span className="sub">{c.categories}</span>
                <span className="sub">
                  {c.state === "draft" || c.state === "nominating" ? `提名 ${windowText(c.nominate_from, c.nominate_until)}` : `投票 ${windowText(c.vote_from, c.vote_until)}`}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
