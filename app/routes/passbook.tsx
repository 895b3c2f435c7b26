// 积分存折 of the viewer's own household: the year on paper, for family members without a phone.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/printables/passbook.css";
import { PassbookChoices, PassbookPager, PassbookPaper, PassbookSheetView, PrintHint } from "~/printables/passbook";
import { ownPassbook } from "~/printables/passbook.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.sheet.year ?? ""}年积分存折 · 积分超市` }];

export async function loader({ request }: LoaderFunctionArgs) {
  return ownPassbook(request);
}

export default function Passbook() {
  const { options, sheet, villageId } = useLoaderData<typeof loader>();
  const link = (page: number) => `/passbook?${new URLSearchParams({ year: String(options.year), size: options.size, page: String(page) })}`;
  return (
    <PassbookPaper size={options.size}>
      <section className="card no-print">
        <h1>积分存折</h1>
        <p className="muted small elder-hide">一年里每一笔积分和当时的余额，打印出来给家里没有手机的人看，也可以请村委会盖章。</p>
        <PassbookChoices options={options} />
        <PrintHint size={options.size} />
        <p className="pb-links">
          <Link to="/statement">‹ 积分明细</Link>
          <Link to={`/v/${villageId}/rankings`}>本村积分排行 ›</Link>
        </p>
      </section>
      <PassbookSheetView sheet={sheet} printedOn={options.printedOn} />
      <PassbookPager page={sheet.page} pages={sheet.pages} link={link} unit="页" />
    </PassbookPaper>
  );
}
