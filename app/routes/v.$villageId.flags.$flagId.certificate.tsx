// A flag's certificate (奖状), printable on A4 or A5 landscape from the browser.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/flags/flags.css";
import { CertificateSheet } from "~/flags/flag-parts";
import { flagCertificate } from "~/flags/flags.server";
import { idParam, requireVillagePerson } from "~/platform/access.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `流动红旗奖状 ${data?.c.number ?? ""}号户 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const flagId = idParam(params.flagId);
  await requireVillagePerson(request, villageId);
  const size = new URL(request.url).searchParams.get("size") === "a5" ? "a5" : "a4";
  return { villageId, size, c: await flagCertificate(villageId, flagId) };
}

export default function FlagCertificate() {
  const { villageId, size, c } = useLoaderData<typeof loader>();
  return (
    <div className={`flag-cert-page size-${size}`}>
      <p className="no-print flag-cert-tools muted small">
        <Link to={`/v/${villageId}/flags`}>‹ 历届红旗户</Link>
        <span>用浏览器的“打印”，纸张选 {size.toUpperCase()} 横向</span>
        {size === "a4" ? <Link to="?size=a5">改用 A5</Link> : <Link to="?size=a4">改用 A4</Link>}
      </p>
      <CertificateSheet c={c} />
    </div>
  );
}
