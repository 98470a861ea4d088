import { expect, expectAccessible, open, test } from "./fixtures";
import { persona } from "./world";

test("stamkort shows the CPR data, the GP and the relatives with provenance", async ({ page }) => {
  await open(page, "citizen-multi", "view=stamkort");
  await expect(page.getByRole("heading", { name: "Stamkort" })).toBeVisible();
  await expect(page.getByText("010858-9995")).toBeVisible();
  await expect(page.getByText("Jens Michael Larsen").first()).toBeVisible();
  await expect(page.getByText(/Hanne Testesen \(Ægtefælle\)/)).toBeVisible();
  await expect(page.locator(".field").filter({ hasText: "Pårørende" }).locator(".provenance")).toContainText("Indtastet af");
  await expectAccessible(page);
});

test("plans and goals render, with activities linked to appointments", async ({ page }) => {
  await open(page, "citizen-multi", "view=plans");
  await expect(page.getByRole("heading", { name: "Planer og mål" })).toBeVisible();
  await expect(page.locator("li.plan").first()).toBeVisible();
  await expect(page.locator("li.goal").first()).toBeVisible();
  const linked = page.locator("ul.linked a").first();
  if (await linked.count()) {
    await linked.click();
    await expect(page).toHaveURL(/view=day/);
    await expect(page.locator("li.appointment").first()).toBeVisible();
  }
  await open(page, "citizen-multi", "view=plans");
  await expect(page.locator("li.plan").first()).toBeVisible();
  await expectAccessible(page);
});

test("the calendar feed: subscribe, copy, rotate, revoke", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await open(page, "citizen-multi", "view=calendar");
  await page.getByRole("button", { name: "Opret kalenderabonnement" }).click();
  const url = page.getByLabel("Abonnementsadresse");
  await expect(url).toHaveValue(/\/calendar\/.+\.ics$/);
  const first = await url.inputValue();
  const ics = await page.request.get(first);
  expect(ics.status()).toBe(200);
  expect(await ics.text()).toContain("BEGIN:VCALENDAR");
  await page.getByRole("button", { name: "Kopiér adressen" }).click();
  await expect(page.getByText("Adressen er kopieret.")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Lav ny adresse" }).click();
  await expect(url).not.toHaveValue(first);
  expect((await page.request.get(first)).status()).toBe(404);
  await page.getByRole("button", { name: "Stop abonnementet" }).click();
  await expect(page.getByRole("button", { name: "Opret kalenderabonnement" })).toBeVisible();
});

test("GraphiQL at /graphql comes from the page's own build and runs a query", async ({ page, baseURL }) => {
  const outside: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(baseURL!) && !r.url().startsWith("data:")) outside.push(r.url());
  });
  // The schema first (introspection, with the token from the fragment), then the query.
  const schema = page.waitForResponse((r) => r.url().endsWith("/graphql") && r.request().method() === "POST");
  await page.goto(`/graphql#token=${persona("citizen-multi").token}`);
  expect((await (await schema).json()).data.__schema.queryType.name).toBe("Query");
  await page.getByRole("button", { name: /Execute query/ }).click();
  await expect(page.locator(".result-window")).toContainText("Poul Erik Testesen");
  expect(outside).toEqual([]);
});

test("a relative with a fuldmagt sees the patient's overview and Min Log, acting for him", async ({ page }) => {
  await open(page, "relative-multi", "view=list");
  await expect(page.getByText("Patient: 010858-9995")).toBeVisible();
  await expect(page.locator("li.appointment").first()).toBeVisible();
  await page.getByRole("link", { name: "Min Log" }).click();
  await expect(page.getByRole("heading", { name: "Min Log" })).toBeVisible();
  await expect(page.locator("table.log tbody tr").first()).toContainText(persona("relative-multi").name);
  await expectAccessible(page);
});

test("a relative whose fuldmagt has expired is told so, and shown nothing", async ({ page }) => {
  await open(page, "relative-expired", "view=list");
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.locator("li.appointment")).toHaveCount(0);
});
