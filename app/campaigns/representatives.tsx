// The admin household page's section for marking village representatives (村民代表), member by member.
import { Form } from "@remix-run/react";
import { Tag } from "~/ui/form-parts";
import { FormOk } from "~/ui/field";
import { REPRESENTATIVE_INTENT } from "./labels";
import type { RepresentativeRow } from "./voters.server";

export function Representatives({ members, action, ok, busy }: { members: RepresentativeRow[]; action: string; ok: string | null; busy: boolean }) {
  const shown = members.filter((m) => m.active || m.is_representative);
  return (
    <section className="card" data-testid="representatives">
      <h2 style={{ marginTop: 0 }}>村民代表</h2>
      <p className="muted small">村民代表在“由村民代表投票”的评选里投票，需要开通登录才能在手机上投。</p>
      <FormOk message={ok} />
      <ul className="entries">
        {shown.map((m) => (
          <li key={m.id}>
            <div className="what">
              <div>
                {m.name} <span className="muted small">（{m.relation}）</span>
              </div>
              <div className="when">
                {m.is_representative ? <Tag tone="ok">村民代表</Tag> : "不是村民代表"}
                {m.is_representative && !m.has_login ? <Tag tone="warn">未开通登录，不能投票</Tag> : null}
              </div>
            </div>
            <Form method="post" action={action}>
              <input type="hidden" name="intent" value={REPRESENTATIVE_INTENT} />
              <input type="hidden" name="memberId" value={m.id} />
              <input type="hidden" name="on" value={m.is_representative ? "0" : "1"} />
              <button type="submit" className="secondary" style={{ whiteSpace: "nowrap" }} disabled={busy || (!m.active && !m.is_representative)}>
                {m.is_representative ? "取消代表" : "设为代表"}
              </button>
            </Form>
          </li>
        ))}
      </ul>
    </section>
  );
}
