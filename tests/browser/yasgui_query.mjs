// Open the query page in headless Chromium, run a query in YASGUI and print what the page
// shows, plus every URL the page requested. Usage: node yasgui_query.mjs PAGE_URL QUERY
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [pageUrl, query] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "esgkg-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const requested = [];
const errors = [];
try {
  const page = context.pages()[0] || await context.newPage();
  page.on("request", (r) => requested.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(pageUrl, { waitUntil: "load" });
  await page.waitForFunction(() => window.esgkgYasgui && window.esgkgYasgui.getTab(), null, { timeout: 20000 });
  const before = await page.evaluate(() => window.esgkgYasgui.getTab().getYasqe().getValue());
  const examples = await page.$$eval("[data-example]", (els) => els.map((e) => e.textContent.trim()));
  await page.evaluate((q) => {
    const yasqe = window.esgkgYasgui.getTab().getYasqe();
    // Keep the preset PREFIX lines of the editor; replace only the query body.
    yasqe.setValue(yasqe.getValue().replace(/SELECT[\s\S]*$/, q));
    yasqe.query();
  }, query);
  try {
    await page.waitForSelector(".yasr table tbody tr", { timeout: 20000 });
  } catch (error) {
    await page.screenshot({ path: join(tmpdir(), "esgkg-yasgui-failed.png") });
    const yasr = await page.$eval(".yasr", (el) => el.innerText).catch(() => "(no .yasr)");
    console.error("YASR shows:", yasr.slice(0, 2000), "requests:", requested, "errors:", errors);
    throw error;
  }
  const cells = await page.$$eval(".yasr table tbody td", (tds) => tds.map((td) => td.textContent.trim()));
  // Where a click on a result IRI goes (resolved against the page), and the site's navigation.
  const links = await page.$$eval(".yasr table tbody a[href]", (as) => as.map((a) => a.href));
  const nav = await page.$$eval("header.site a[href]", (as) => as.map((a) => a.textContent.trim()));
  await page.screenshot({ path: join(tmpdir(), "esgkg-yasgui.png") });
  console.log(JSON.stringify({ before, examples, cells, links, nav, requested, errors }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
