// Draws the demo goods' product pictures (simple SVG packages with a label) and rasterises them to
// small WebP files with headless Chromium, once. The files are committed under db/seed/goods/;
// run again only to change the pictures: npx tsx scripts/draw-goods.ts
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { DEMO_GOODS } from "../db/seed/goods";

type Shape = "bag" | "bottle" | "box" | "tube" | "roll" | "bar" | "jug" | "towel" | "eggs";

function svg(label: string, shape: Shape, color: string): string {
  const body: Record<Shape, string> = {
    bag: `<path d="M60 40 h120 l12 170 h-144z" fill="${color}"/><rect x="60" y="30" width="120" height="16" rx="4" fill="#0003"/>`,
    bottle: `<rect x="100" y="22" width="40" height="30" rx="6" fill="#333"/><path d="M86 56 h68 q20 20 20 50 v96 q0 12 -12 12 h-84 q-12 0 -12 -12 v-96 q0 -30 20 -50z" fill="${color}"/>`,
    box: `<rect x="44" y="56" width="152" height="150" rx="8" fill="${color}"/><path d="M44 56 l24 -24 h152 l-24 24z" fill="#0002"/>`,
    tube: `<path d="M40 110 l150 -40 q16 -4 20 12 l6 30 q4 16 -12 20 l-150 40z" fill="${color}"/><rect x="20" y="122" width="26" height="34" rx="4" transform="rotate(-15 33 139)" fill="#fff" stroke="#999"/>`,
    roll: `<rect x="40" y="70" width="160" height="130" rx="16" fill="${color}"/><ellipse cx="120" cy="70" rx="80" ry="22" fill="#fff" stroke="#bbb" stroke-width="3"/><ellipse cx="120" cy="70" rx="18" ry="6" fill="#ccc"/>`,
    bar: `<rect x="40" y="80" width="160" height="96" rx="40" fill="${color}"/><rect x="60" y="96" width="120" height="24" rx="12" fill="#fff6"/>`,
    jug: `<path d="M70 50 h100 l10 30 v120 q0 12 -12 12 h-96 q-12 0 -12 -12 v-120z" fill="${color}"/><rect x="96" y="26" width="48" height="26" rx="5" fill="#d32f2f"/><path d="M172 90 q30 0 30 30 q0 30 -30 30" stroke="${color}" stroke-width="12" fill="none"/>`,
    towel: `<rect x="50" y="40" width="140" height="170" rx="6" fill="${color}"/><path d="M50 70 h140 M50 180 h140" stroke="#fff" stroke-width="8"/>`,
    eggs: `<rect x="30" y="110" width="180" height="90" rx="10" fill="#c8a165"/>${[0, 1, 2, 3].map((i) => `<ellipse cx="${58 + i * 42}" cy="104" rx="20" ry="26" fill="${color}"/>`).join("")}`,
  };
  const size = label.length > 3 ? 30 : 36;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">
    <rect width="240" height="240" fill="#f7f3ea"/>${body[shape]}
    <rect x="56" y="122" width="128" height="50" rx="8" fill="#fff" opacity=".92"/>
    <text x="120" y="158" font-family="Noto Sans CJK SC, Noto Serif CJK SC, sans-serif" font-weight="700" font-size="${size}" text-anchor="middle" fill="#222">${label}</text></svg>`;
}

const out = path.resolve("db/seed/goods");
fs.mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage();
await page.setContent("<canvas id=c width=240 height=240></canvas>");
for (const g of DEMO_GOODS) {
  const dataUrl = await page.evaluate(async (s) => {
    const img = new Image();
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(s);
    await img.decode();
    const c = document.getElementById("c") as HTMLCanvasElement;
    const ctx = c.getContext("2d")!;
    ctx.drawImage(img, 0, 0);
    return c.toDataURL("image/webp", 0.72);
  }, svg(g.label, g.shape as Shape, g.color));
  const bytes = Buffer.from(dataUrl.split(",")[1], "base64");
  fs.writeFileSync(path.join(out, `${g.file}.webp`), bytes);
  console.log(`${g.file}.webp ${bytes.length} B`);
}
await browser.close();
