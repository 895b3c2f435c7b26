import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { signOut } from "~/platform/auth.server";

export async function loader() {
  return redirect("/");
}

// On a shared phone the next person must not find the signed-in pages in the browser's cache or
// behind the back button. Only "cache": the app keeps nothing in the browser's storage, and the
// session cookie itself is cleared by Set-Cookie, so nothing else a family set is touched.
export async function action({ request }: ActionFunctionArgs) {
  return redirect("/login", { headers: { "Set-Cookie": await signOut(request), "Clear-Site-Data": '"cache"' } });
}
