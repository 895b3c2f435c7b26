import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  data,
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { FormError, FormOk } from "~/ui/field";
import { FilePicker } from "~/ui/pickers";
import { idParam, requireRole } from "~/platform/access.server";
import { importRoster, ROSTER_COLUMNS, ROSTER_MAX_BYTES, ROSTER_MAX_ROWS } from "~/people/roster.server";
import { getVillage } from "~/people/villages.server";

export const meta: MetaFunction = () => [{ title: "花名册导入 · 积分超市" }];

const ROLES = ["village_admin", "township_admin"] as const;
/** Created households listed on the page; the counts above the list are always complete. */
const MAX_LISTED = 200;

async function access(request: Request, villageIdParam: string | undefined) {
  const villageId = idParam(villageIdParam);
  const acc = await requireRole(request, ROLES, villageId);
  const village = await getVillage(villageId);
  if (!village) throw new Response("找不到这个村", { status: 404 });
  return { ...acc, villageId, village };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { village } = await access(request, params.villageId);
  return { village: { id: village.id, name: village.name }, columns: ROSTER_COLUMNS, maxRows: ROSTER_MAX_ROWS };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { viewer, role, villageId } = await access(request, params.villageId);
  let form: FormData;
  try {
    // Created here, not at module scope: module-scope code also runs in the browser bundle.
    form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: ROSTER_MAX_BYTES }));
  } catch (e) {
    const message =
      e instanceof MaxPartSizeExceededError
        ? `文件太大了：最大 2 MB（约 ${ROSTER_MAX_ROWS} 行）。请分成几个文件上传。`
        : "没有收到文件，请选择花名册 CSV 文件后再上传。";
    return data({ ok: false as const, message, fileError: true, errors: [], totalErrors: 0 }, { status: 400 });
  }
  const file = form.get("file");
  if (!file || typeof file === "string" || (file.size === 0 && !file.name)) {
    return data({ ok: false as const, message: "请先选择要上传的花名册 CSV 文件。", fileError: true, errors: [], totalErrors: 0 }, { status: 400 });
  }
  const result = await importRoster(villageId, { userId: viewer.userId, role }, new Uint8Array(await file.arrayBuffer()));
  if (!result.ok) return data({ ...result, fileError: result.errors.length === 0 }, { status: 400 });
  return {
    ok: true as const,
    households: result.households.length,
    members: result.members,
    newGrids: result.newGrids,
    newGroups: result.newGroups,
    listed: result.households.slice(0, MAX_LISTED),
    importedAt: Date.now(), // a new key for the form: the chosen file is cleared after an import
  };
}

export default function RosterImport() {
  const { village, columns, maxRows } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const fileError = result && !result.ok && result.fileError ? result.message : undefined;
  // With JavaScript the page does not reload: bring the outcome into view (the table sits above the form).
  const outcomeRef = useRef<HTMLDivElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!result) return;
    const el = fileError ? fileRef.current : outcomeRef.current;
    if (!el) return;
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: fileError ? "center" : "start" });
  }, [result, fileError]);
  return (
    <>
      <section className="card">
        <h2 style={{ marginTop: 0 }}>导入花名册</h2>
        <p>把{village.name}的住户和成员名单（CSV 文件）一次导入。系统先检查整个文件，有任何问题都不会导入，改好后重新上传即可。</p>

        {result?.ok ? (
          <div role="status" ref={outcomeRef} tabIndex={-1} style={{ outline: "none", scrollMarginTop: "1rem" }}>
            <p className="form-ok">
              导入成功：新建住户 {result.households} 户、成员 {result.members} 人
              {result.newGrids.length ? `、新网格 ${result.newGrids.length} 个（${result.newGrids.join("、")}）` : "，没有新网格"}
              {result.newGroups.length ? `、新联户 ${result.newGroups.length} 个（${result.newGroups.join("、")}）` : ""}。
            </p>
            <div className="table-wrap">
              <table>
                <caption className="muted small" style={{ textAlign: "left", padding: ".25rem 0" }}>新建的住户</caption>
                <thead>
                  <tr>
                    <th>户号</th>
                    <th>户主</th>
                    <th>人数</th>
                    <th>网格</th>
                    <th>联户</th>
                  </tr>
                </thead>
                <tbody>
                  {result.listed.map((h) => (
                    <tr key={h.id}>
                      <td>
                        <Link to={`/v/${village.id}/admin/households/${h.id}`}>{h.number}</Link>
                      </td>
                      <td>{h.head}</td>
                      <td>{h.members}</td>
                      <td>{h.grid || "—"}</td>
                      <td>{h.group || "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {result.households > result.listed.length ? (
              <p className="muted small">只列出前 {result.listed.length} 户，共 {result.households} 户。</p>
            ) : null}
            <p>
              <Link to={`/v/${village.id}/admin`}>查看全部住户 ›</Link>
            </p>
          </div>
        ) : null}

        {result && !result.ok && !result.fileError ? (
          <div ref={outcomeRef} tabIndex={-1} style={{ outline: "none", scrollMarginTop: "1rem" }}>
            <FormError message={result.message} />
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">行号</th>
                    <th scope="col">列</th>
                    <th scope="col">问题</th>
                  </tr>
                </thead>
                <tbody>
                  {result.errors.map((e, i) => (
                    <tr key={i}>
                      <td style={{ whiteSpace: "nowrap" }}>{e.row}</td>
                      <td style={{ whiteSpace: "nowrap" }}>{e.column ?? "—"}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {result.totalErrors > result.errors.length ? (
              <p className="muted small">只列出前 {result.errors.length} 处，共 {result.totalErrors} 处问题。</p>
            ) : null}
            <p className="muted small">行号就是 Excel 左边的行号，第 1 行是表头。</p>
          </div>
        ) : null}

        <Form method="post" encType="multipart/form-data" replace key={result?.ok ? result.importedAt : "upload"}>
          <FilePicker
            ref={fileRef}
            kind="file"
            id="roster-file"
            label="选择花名册文件（CSV）"
            name="file"
            accept=".csv,text/csv"
            error={fileError}
            hint={`Excel 或 WPS 另存为的 CSV 都可以（UTF-8 或 GBK 编码），最多 ${maxRows} 行、2 MB。`}
          />
          <button type="submit" className="primary block" disabled={busy}>{busy ? "正在检查……" : "检查并导入"}</button>
        </Form>
      </section>

      <section className="card">
        <h2 style={{ marginTop: 0 }}>文件怎么填</h2>
        <p>第一行是表头，下面每行填一个人。同一户的人填相同的户号，每户有且只有一个户主。</p>
        <p>
          <a className="button secondary" href={`/v/${village.id}/admin/import/sample.csv`} download>下载示例文件</a>
        </p>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">列名</th>
                <th scope="col">怎么填</th>
              </tr>
            </thead>
            <tbody>
              {columns.map((c) => (
                <tr key={c.name}>
                  <td style={{ whiteSpace: "nowrap" }}>
                    <strong>{c.name}</strong>
                    <br />
                    <span className="muted">{c.required ? "必填" : "选填"}</span>
                  </td>
                  <td>
                    {c.description}
                    <br />
                    <span className="muted">例：{c.example}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted small">表头顺序可以不同，多出来的列（如“序号”“备注”）不会导入。用 Excel 编辑时，户号和手机号这两列请设成“文本”，以免开头的 0 丢失或变成科学计数法。</p>
      </section>
    </>
  );
}
