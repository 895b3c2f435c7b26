import type { LoaderFunctionArgs } from "@remix-run/node";
import { idParam, isOfVillage, notFound, requireViewer } from "~/platform/access.server";
import { goodPhoto } from "~/store/goods.server";

// A good's photo, for signed-in people of its village (and the township admin). Cached by version.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const p = await goodPhoto(idParam(params.goodId));
  if (!p) notFound();
  if (!isOfVillage(viewer, p.village_id)) notFound();
  return new Response(new Uint8Array(p.photo), {
    headers: { "Content-Type": p.type, "Cache-Control": "private, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff" },
  });
}
