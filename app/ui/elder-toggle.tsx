// The header's 大字 switch (长辈模式): one tap on any page turns large type on or off and comes back
// to the same page. A plain form, so it works without JavaScript too.
import { Form, useLocation } from "@remix-run/react";

export function ElderToggle({ on }: { on: boolean }) {
  const { pathname, search } = useLocation();
  return (
    <Form method="post" action="/elder" preventScrollReset className="elder-toggle">
      <input type="hidden" name="elder" value={on ? "0" : "1"} />
      <input type="hidden" name="back" value={pathname + search} />
      <button type="submit" className="link-button" aria-pressed={on} title={on ? "关闭大字，回到标准字号" : "打开大字（长辈模式）"}>
        大字
      </button>
    </Form>
  );
}
