import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Browser, type Page } from "@playwright/test";
import { persona, world } from "./world";

export { expect };

export const test = base.extend({
  baseURL: async ({}, use) => use(world().gateway),
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
