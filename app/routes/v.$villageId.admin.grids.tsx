import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { idParam, requireRole } from "~/platform/access.server";
import { TEXT_LIMITS } from "~/people/limits";
import { actorOf, echoValues } from "~/platform/forms.server";
import { gridsPageIntent } from "~/people/admin-forms.server";
import { createGrid, gridsWithCounts, renameGrid } from "~/people/village-admin.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { gridChoices, gridWorkerIntent, inspectorsOf, setGridWorker } from "~/groups/admin.server";

export const meta: MetaFunction = () => [{ title: "网格 · 村务管理 · 积分超市" }];

const ADMIN = ["village_admin", "township_admin"] as const;


export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  // 网格员 (issue 18): each grid's worker, chosen among the village's inspectors.
  const workers = new Map((await gridChoices(villageId)).map((g) => [g.id, g.worker_user_id]));
  const grids = (await gridsWithCounts(villageId)).map((g) => ({ ...g, worker: workers.get(g.id) ?? null }));
  return { grids, inspectors: await inspectorsOf(villageId) };
}

interface Reply {
  intent: string;
  gridId: number | null;
  errors: Record<string, string>;
  values?: Record<string, string>;
  ok?: string;
  stamp?: number;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const form = formToObject(await readForm(request));
  if (form.intent === "grid.worker") {
    const w = gridWorkerIntent.safeParse(form);
    const gridId = w.success ? w.data.gridId : /^\d{1,12}$/.test(form.gridId ?? "") ? Number(form.gridId) : null;
    if (!w.success) return data<Reply>({ intent: "grid.worker", gridId, errors: { _form: "请求有误，请刷新页面后再试" } }, { status: 400 });
    const out = await setGridWorker(actorOf(access), villageId, w.data.gridId, w.data.workerUserId);
    if (!out.ok) return data<Reply>({ intent: "grid.worker", gridId, errors: out.errors }, { status: out.status ?? 400 });
    return data<Reply>({ intent: "grid.worker", gridId, errors: {}, ok: w.data.workerUserId === null ? "已取消网格员" : "已设置网格员", stamp: Date.now() });
  }
  const parsed = gridsPageIntent.safeParse(form);
  const rawGrid = /^\d{1,12}$/.test(form.gridId ?? "") ? Number(form.gridId) : null;
  const values = echoValues(form, ["name"]);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.gridId) errors._form = errors.intent ?? errors.gridId;
    return data<Reply>({ intent: form.intent ?? "", gridId: rawGrid, errors, values }, { status: 400 });
  }
  const i = parsed.data;
  const actor = actorOf(access);
  if (i.intent === "grid.create") {
    const out = await createGrid(actor, villageId, i.name);
    if (!out.ok) return data<Reply>({ intent: i.intent, gridId: null, errors: out.errors, values }, { status: out.status ?? 400 });
    return data<Reply>({ intent: i.intent, gridId: out.gridId, errors: {}, ok: `已新增网格 ${i.name}`, stamp: Date.now() });
  }
  const out = await renameGrid(actor, villageId, i.gridId, i.name);
  if (!out.ok) return data<Reply>({ intent: i.intent, gridId: i.gridId, errors: out.errors, values }, { status: out.status ?? 400 });
  return data<Reply>({ intent: i.intent, gridId: i.gridId, errors: {}, ok: "已改名", stamp: Date.now() });
}

export default function Grids() {
  const { grids, inspectors } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const createErr = result?.intent === "grid.create" && !result.ok ? result.errors : {};
  const known = result && (result.intent === "grid.create" || ((result.intent === "grid.rename" || result.intent === "grid.worker") && grids.some((g) => g.id === result.gridId)));
  return (
    <>
      <section className="card">
        <h2 style={{ marginTop: 0 }}>新增网格</h2>
        <p className="muted small">网格是按片区分的住户组，如“一组”“东片”。网格员按网格检查卫生。</p>
        {result && !known && !result.ok ? <FormError message={result.errors._form ?? "请求有误，请刷新页面后再试"} /> : null}
        {result?.intent === "grid.create" && result.ok ? <FormOk message={result.ok} /> : null}
        <Form method="post" noValidate className="inline" key={`new-${result?.intent === "grid.create" ? result.stamp ?? 0 : 0}`}>
          <input type="hidden" name="intent" value="grid.create" />
          <div>
            <label htmlFor="new-grid" className="sr-only">网格名称</label>
            <input
              id="new-grid"
              name="name"
              placeholder="网格名称"
              maxLength={TEXT_LIMITS.gridName}
              autoComplete="off"
              defaultValue={result?.intent === "grid.create" && !result.ok ? result.values?.name : undefined}
              aria-invalid={createErr.name ? true : undefined}
              aria-describedby={createErr.name ? "new-grid-err" : undefined}
            />
            {createErr.name || createErr._form ? <p className="field-error" id="new-grid-err">{createErr.name ?? createErr._form}</p> : null}
          </div>
          <button type="submit" className="primary" disabled={busy}>新增</button>
        </Form>
      </section>
      <section className="card">
        <h2 style={{ marginTop: 0 }}>本村网格（{grids.length} 个）</h2>
        {grids.length === 0 ? <p className="muted">还没有网格</p> : null}
        {grids.map((g) => {
          const mine = result?.intent === "grid.rename" && result.gridId === g.id ? result : undefined;
          const err = mine && !mine.ok ? (mine.errors.name ?? mine.errors._form) : undefined;
          return (
            <div className="grid-row" key={g.id}>
              <p style={{ margin: "0 0 .25rem" }}>
                <strong>{g.name}</strong>{" "}
                <span className="muted small">{g.households} 户</span>
              </p>
              {mine?.ok ? <FormOk message={mine.ok} /> : null}
              <Form method="post" noValidate className="inline" key={`g${g.id}-${mine?.stamp ?? 0}`}>
                <input type="hidden" name="intent" value="grid.rename" />
                <input type="hidden" name="gridId" value={g.id} />
                <div>
                  <label htmlFor={`g${g.id}`} className="sr-only">{g.name} 的新名称</label>
                  <input
                    id={`g${g.id}`}
                    name="name"
                    defaultValue={mine && !mine.ok ? mine.values?.name : g.name}
                    maxLength={TEXT_LIMITS.gridName}
                    autoComplete="off"
                    aria-invalid={err ? true : undefined}
                    aria-describedby={err ? `g${g.id}-err` : undefined}
                  />
                  {err ? <p className="field-error" id={`g${g.id}-err`}>{err}</p> : null}
                </div>
                <button type="submit" className="secondary" disabled={busy}>改名</button>
              </Form>
              <GridWorker grid={g} inspectors={inspectors} reply={result?.intent === "grid.worker" && result.gridId === g.id ? result : undefined} busy={busy} />
            </div>
          );
        })}
      </section>
    </>
  );
}

/** 网格员 (issue 18): who looks after the grid, among the village's inspectors. */
function GridWorker({ grid, inspectors, reply, busy }: { grid: { id: number; name: string; worker: number | null }; inspectors: { id: number; name: string; phone: string }[]; reply?: Reply; busy: boolean }) {
  const err = reply && !reply.ok ? (reply.errors.workerUserId ?? reply.errors._form) : undefined;
  return (
    <Form method="post" noValidate className="inline" key={`w${grid.id}-${reply?.stamp ?? 0}`} style={{ marginTop: ".5rem" }}>
      <input type="hidden" name="intent" value="grid.worker" />
      <input type="hidden" name="gridId" value={grid.id} />
      <div>
        <label htmlFor={`w${grid.id}`} className="sr-only">{grid.name} 的网格员</label>
        <select id={`w${grid.id}`} name="workerUserId" defaultValue={String(grid.worker ?? "")} aria-invalid={err ? true : undefined} aria-describedby={err ? `w${grid.id}-err` : undefined}>
          <option value="">网格员：未设置</option>
          {inspectors.map((u) => <option key={u.id} value={u.id}>网格员：{u.name}</option>)}
        </select>
        {err ? <p className="field-error" id={`w${grid.id}-err`}>{err}</p> : null}
        {reply?.ok ? <p className="form-ok" role="status">{reply.ok}</p> : null}
      </div>
      <button type="submit" className="secondary" disabled={busy}>保存</button>
    </Form>
  );
}
