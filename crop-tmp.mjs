// scratch: crop a tall screenshot into 390x800 tiles for viewing
import fs from "node:fs";
import { chromium } from "playwright-core";
const [file, ...rest] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const p = await b.newPage({ viewport: { width: 390, height: 800 } });
const data = fs.readFileSync(file).toString("base64");
await p.setContent(`<body style="margin:0"><img id=i src="data:image/png;base64,${data}"></body>`);
const h = await p.evaluate(() => document.getElementById("i").naturalHeight);
const base = file.split("/").pop().replace(".png", "");
for (let y = 0, k = 0; y < h; y += 760, k++) {
  await p.screenshot({ path: `/tmp/crops/${base}-${k}.png`, clip: { x: 0, y, width: 390, height: Math.min(800, h - y) }, fullPage: true });
}
console.log(base, h, Math.ceil(h / 760));
await b.close();
