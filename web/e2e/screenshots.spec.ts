// The README's screenshots (docs/): `npm run screenshots`.
import { expect, open, test } from "./fixtures";

const DOCS = "../docs";
const shots: Array<[string, string, string, string]> = [
  ["week", "citizen-multi", "view=week", ".week li.appointment"],
  ["list", "citizen-multi", "view=list&cancelled=1", "li.appointment"],
  ["stamkort", "citizen-multi", "view=stamkort", ".field"],
  ["plans", "citizen-multi", "view=plans", "li.plan"],
  ["blocks", "citizen-multi", "view=blocks", "table.blocks"],
  ["log", "citizen-multi", "view=log", "table.log"],
  ["clinician-withheld", "clinician-blocked", "view=list", '[data-code="BLOCKED_BY_PATIENT"]'],
];

for (const [name, who, fragment, ready] of shots) {
  test(`screenshot ${name}`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await open(page, who, fragment);
    await expect(page.locator(ready).first()).toBeVisible();
    await page.screenshot({ path: `${DOCS}/page-${name}.png` });
  });
}

test("screenshot login", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/");
  await expect(page.locator("[data-persona]").first()).toBeVisible();
  await page.screenshot({ path: `${DOCS}/page-login.png` });
});

test("screenshot graphiql", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/graphql");
  await expect(page.locator(".graphiql-container")).toBeVisible();
  await page.screenshot({ path: `${DOCS}/graphiql.png` });
});
