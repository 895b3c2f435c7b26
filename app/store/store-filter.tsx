// The keeper's "which store, which day or month" picker (a GET form, works without JavaScript).
import { Form } from "@remix-run/react";
import { DateField } from "~/ui/pickers";

export function StorePeriodFilter({ stores, storeId, period, className = "filters" }: {
  stores: { id: number; name: string }[];
  storeId: number;
  period: { name: "day" | "month"; label: string; value: string };
  className?: string;
}) {
  return (
    <Form method="get" className={className}>
      {stores.length > 1 ? (
        <div>
          <label htmlFor="store">超市</label>
          <select id="store" name="store" defaultValue={storeId}>{stores.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}</select>
        </div>
      ) : null}
      <DateField label={period.label} name={period.name} id={period.name} month={period.name === "month"} defaultValue={period.value} />
      <button type="submit" className="secondary">查看</button>
    </Form>
  );
}
