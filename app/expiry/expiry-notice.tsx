// On the household's home from D days before a run: how many points will expire and on which day.
// Kept in 长辈模式 (no elder-hide): it is about the household's own points.
export function ExpiryNoticeBox({ notice }: { notice: { amount: number; lastDay: string } | null }) {
  if (!notice) return null;
  return (
    <p className="expiry-notice" role="status" data-testid="expiry-notice">
      您有 <strong>{notice.amount}</strong> 分将于 <span className="nowrap">{notice.lastDay}</span> 过期，请在此之前兑换。
    </p>
  );
}
