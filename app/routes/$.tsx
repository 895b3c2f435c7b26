// Unknown addresses get the 404 page inside the normal layout.
export function loader() {
  throw new Response("找不到这个页面", { status: 404 });
}

export default function NotFound() {
  return null;
}
