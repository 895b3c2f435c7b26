// Marks the document once React has hydrated it. Until then a tap on a form posts natively and a
// typed field is not yet watched; the browser tests wait for this mark after opening a page.
import { useEffect } from "react";

export function HydratedMark() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = "1";
  }, []);
  return null;
}
