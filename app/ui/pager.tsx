// Previous / next links with "第 x / y 页"; nothing when everything fits on one page.
import { Link } from "@remix-run/react";

export function Pager({ page, pages, link }: { page: number; pages: number; link: (page: number) => string }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="翻页">
      {page > 1 ? <Link to={link(page - 1)}>‹ 上一页</Link> : <span />}
      <span className="muted">第 {page} / {pages} 页</span>
      {page < pages ? <Link to={link(page + 1)}>下一页 ›</Link> : <span />}
    </nav>
  );
}
