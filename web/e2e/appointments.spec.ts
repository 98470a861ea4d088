import { expect, expectAccessible, open, test } from "./fixtures";

test("the persona picker logs in as the chosen persona", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Vælg en demo-person" })).toBeVisible();
  await expectAccessible(page);
  await page.locator('[data-persona="citizen-multi"]').click();
  await expect(page.getByText("Poul Erik Testesen (borger)")).toBeVisible();
  await expect(page.getByRole("link", { name: "Uge" })).toHaveAttribute("aria-current", "page");
});

test("the list view renders the demo's appointments, and a filter narrows it", async ({ page }) => {
  await open(page, "citizen-multi", "view=list");
  const count = page.locator("p.count");
  await expect(count).toHaveText(/\d+ aftaler/);
  const all = Number((await count.textContent())!.split(" ")[0]);
  expect(all).toBeGreaterThan(5);
  await expect(page.locator("li.appointment").first()).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("checkbox", { name: "Hospital" }).check();
  await expect(page).toHaveURL(/sector=HOSPITAL/);
  await expect(count).not.toHaveText(`${all} aftaler`);
  const hospital = Number((await count.textContent())!.split(" ")[0]);
  expect(hospital).toBeGreaterThan(0);
  expect(hospital).toBeLessThan(all);
  for (const source of await page.locator("li.appointment .source").allTextContents()) {
    expect(source).toContain("(Hospital)");
  }
  // The filter lives in the fragment: a reload shows the same narrowed list.
  await page.reload();
  await expect(count).toHaveText(`${hospital} ${hospital === 1 ? "aftale" : "aftaler"}`);
  await expect(page.getByRole("checkbox", { name: "Hospital" })).toBeChecked();
});

test("a text filter and 'Vis aflyste' change what the list shows", async ({ page }) => {
  await open(page, "citizen-multi", "view=list&cancelled=1");
  await expect(page.locator("p.count")).toBeVisible();
  await expect(page.locator("li.appointment.cancelled").first()).toBeVisible();
  await expect(page.locator(".cancelled-badge").first()).toHaveText("Aflyst");
  await page.getByRole("searchbox", { name: "Tekst i titel eller sted" }).fill("hjemmepleje");
  await page.getByRole("button", { name: "Søg" }).click();
  await expect(page).toHaveURL(/q=hjemmepleje/);
  await expect(page.locator("li.appointment").first()).toBeVisible();
  for (const text of await page.locator("li.appointment").allTextContents()) {
    expect(text.toLowerCase()).toContain("hjemmepleje");
  }
});

test("the week view shows an ISO week, Monday first, and steps by week", async ({ page }) => {
  await open(page, "citizen-multi", "view=week&date=2026-12-28");
  await expect(page.getByRole("heading", { level: 2 })).toContainText("Uge 53, 2026");
  await expect(page.locator(".week .day h3").first()).toContainText("man");
  await expect(page.locator(".week .day")).toHaveCount(7);
  await page.getByRole("button", { name: "Næste uge" }).click();
  await expect(page.getByRole("heading", { level: 2 })).toContainText("Uge 1, 2027");
  await page.getByRole("button", { name: "I dag" }).click();
  await expect(page.locator(".week .day.today")).toHaveCount(1);
  await expect(page.locator(".week li.appointment").first()).toBeVisible();
  await expectAccessible(page);
});

test("the day view renders today's appointments and marks home visits", async ({ page }) => {
  await open(page, "citizen-multi", "view=week");
  // A day with a home visit this week (the demo has home care every morning).
  const day = await page.locator(".week .day:has(.badge.home)").first().getAttribute("aria-label");
  expect(day).toBeTruthy();
  await page.getByRole("link", { name: "Dag" }).click();
  await expect(page.getByRole("heading", { level: 2 })).toContainText("Aftaler");
  await expect(page.locator("p.count")).toBeVisible();
  await expectAccessible(page);
});

test("the organisation filter finds a SOR unit by name and takes its sub-units", async ({ page }) => {
  await open(page, "citizen-multi", "view=list");
  const count = page.locator("p.count");
  await expect(count).toHaveText(/\d+ aftaler/);
  const all = Number((await count.textContent())!.split(" ")[0]);
  await page.getByRole("searchbox", { name: "Søg på navn eller SOR-id" }).fill("Aarhus Universitetshospital");
  await page.getByRole("radio", { name: /^Aarhus Universitetshospital \(institution/ }).check();
  await page.getByRole("checkbox", { name: "inkl. underenheder" }).check();
  await page.getByRole("button", { name: "Søg" }).click();
  await expect(page).toHaveURL(/org=\d+&sub=1/);
  await expect(count).not.toHaveText(`${all} aftaler`);
  const items = await page.locator("li.appointment").allTextContents();
  expect(items.length).toBeGreaterThan(0);
  for (const text of items) expect(text).toContain("Aarhus Universitetshospital");
  await expectAccessible(page);
});

test("the list pages forwards and back (Relay first/after, last/before)", async ({ page }) => {
  await open(page, "citizen-multi", "view=list");
  const pager = page.getByRole("navigation", { name: "Sider med aftaler" });
  await expect(pager).toContainText(/25 vist af \d+/);
  const firstTitle = await page.locator("li.appointment").first().textContent();
  await expect(pager.getByRole("button", { name: "Forrige side" })).toBeDisabled();
  await pager.getByRole("button", { name: "Næste side" }).click();
  await expect(page.locator("li.appointment").first()).not.toHaveText(firstTitle!);
  await expect(pager.getByRole("button", { name: "Forrige side" })).toBeEnabled();
  await pager.getByRole("button", { name: "Forrige side" }).click();
  await expect(page.locator("li.appointment").first()).toHaveText(firstTitle!);
  await expect(pager.getByRole("button", { name: "Forrige side" })).toBeDisabled();
});
