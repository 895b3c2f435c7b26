// Store formatting shared by server and browser (no server code here).
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

export function receiptNo(orderId: number): string {
  return `No.${String(orderId).padStart(6, "0")}`;
}
