import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Browser, type Page } from "@playwright/test";
import { persona, world } from "./world";

export { expect };

// The build's trusted documents (hash -> document): what the gateway runs outside dev mode.
const TRUSTED = new Set(Object.keys(JSON.parse(readFileSync(new URL("../dist/operations.json", import.meta.url), "utf-8"))));

export const test = base.extend<{ trustedOnly: void }>({
  baseURL: async ({}, use) => use(world().gateway),
  // In every test: the page sends each operation as a trusted document's hash, never as text
  // (GraphiQL, at /graphql, sends text: it runs in dev mode only).
  trustedOnly: [
    async ({ page }, use) => {
      const sent: string[] = [];
      page.on("request", (r) => {
        if (r.method() !== "POST" || !r.url().endsWith("/graphql")) return;
        if (new URL(r.frame().url()).pathname === "/graphql") return;
        sent.push(r.postData() ?? "");
      });
      await use();
      for (const body of sent) {
        const request = JSON.parse(body);
        expect(request.query, "the page sends no query text").toBeUndefined();
        expect(TRUSTED.has(request.extensions?.persistedQuery?.sha256Hash), "a trusted document").toBe(true);
      }
    },
    { auto: true },
  ],
});

/** Opens the page as a persona, by the fragment deep link. */
export async function open(page: Page, personaId: string, fragment = "view=week"): Promise<void> {
  await page.goto(`/#${fragment}&token=${persona(personaId).token}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

/** A second, separate browser (its own storage): another person at another computer. */
export async function otherPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    baseURL: world().gateway,
    locale: "da-DK",
    timezoneId: "Europe/Copenhagen",
  });
  return context.newPage();
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
  ).toEqual([]);
}
