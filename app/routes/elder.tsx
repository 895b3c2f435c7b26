// 大字 (长辈模式): the header's one-tap switch posts here and comes back to the page it was tapped on.
// A plain form post, so it works without JavaScript; the server's origin check guards it like every post.
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { getViewer } from "~/platform/access.server";
import { elderCookie, setAccountElder } from "~/platform/elder.server";
import { localPath } from "~/platform/local-path";
import { formToObject, readForm } from "~/platform/validation.server";

const schema = z.object({ elder: z.enum(["0", "1"]), back: z.string().max(2000).optional() });

export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = schema.safeParse(formToObject(await readForm(request)));
  if (!parsed.success) throw new Response("请求有误，请刷新页面后再试", { status: 400 });
  const on = parsed.data.elder === "1";
  const viewer = await getViewer(request);
  if (viewer) await setAccountElder(viewer.userId, on);
  return redirect(localPath(parsed.data.back), { headers: { "Set-Cookie": elderCookie(request, on) } });
}

// A page route, not a resource route: a refused post is answered with the app's Chinese error page
// (the root's ErrorBoundary), not a bare line of text. The loader always redirects, so nothing here draws.
export default function Elder() {
  return null;
}
