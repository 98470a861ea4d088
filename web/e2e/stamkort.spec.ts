import { expect, expectAccessible, open, otherPage, test } from "./fixtures";

test("the patient edits her phone number; the new value shows with its provenance", async ({ page }) => {
  await open(page, "citizen-multi", "view=stamkort");
  const field = page.locator(".field").filter({ has: page.getByRole("heading", { name: "Telefonnummer *" }) });
  await field.getByRole("button", { name: "Ret telefonnummer" }).click();
  await field.getByRole("textbox", { name: "Telefonnummer" }).fill("+45 20 11 99 96");
  await expectAccessible(page);
  await field.getByRole("button", { name: "Gem" }).click();
  await expect(field.locator(".value")).toHaveText("+4520119996");
  await expect(field.locator(".provenance").first()).toContainText("Poul Erik Testesen, Borger");
  await field.getByRole("button", { name: "Vis historik" }).click();
  await expect(field.locator(".history li").first()).toContainText("+4520119996");
});

test("a clinician edits on the patient's behalf; a stale edit is refused with a clear message", async ({ page, browser }) => {
  await open(page, "citizen-multi", "view=stamkort");
  const clinician = await otherPage(browser);
  await open(clinician, "clinician-auh", "view=stamkort");
  const dentist = (p: typeof page) => p.locator(".field").filter({ has: p.getByRole("heading", { name: "Tandlæge *" }) });

  // Both have the stamkort open. The clinician saves first.
  await dentist(clinician).getByRole("button", { name: "Ret tandlæge" }).click();
  await dentist(clinician).getByLabel("Navn").fill("Tandlægerne i Åbyhøj");
  await dentist(clinician).getByRole("button", { name: "Gem" }).click();
  await expect(dentist(clinician).locator(".value")).toContainText("Tandlægerne i Åbyhøj");
  await expect(dentist(clinician).locator(".provenance").first()).toContainText("Sundhedsperson");

  // The patient, still on the version she loaded, saves too: refused, nothing lost silently.
  await dentist(page).getByRole("button", { name: "Ret tandlæge" }).click();
  await dentist(page).getByLabel("Navn").fill("Tandklinikken Vest");
  await dentist(page).getByRole("button", { name: "Gem" }).click();
  await expect(dentist(page).getByRole("alert")).toContainText("En anden har rettet stamkortet");
  await dentist(page).getByRole("button", { name: "Hent stamkortet igen" }).click();
  await expect(dentist(page).locator(".value")).toContainText("Tandlægerne i Åbyhøj");
  await clinician.context().close();
});
