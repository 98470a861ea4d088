import { claims, persona } from "./world";
import { expect, expectAccessible, open, otherPage, test } from "./fixtures";

test("a block made by the patient hides data from the clinician on the next load", async ({ page, browser }) => {
  const nurse = persona("clinician-homecare-aarhus");
  const authorisationId = String(claims(nurse.token).authorisation_id);

  // The clinician, at another computer, sees the patient's appointments and no notice.
  const clinician = await otherPage(browser);
  await open(clinician, nurse.id, "view=list");
  await expect(clinician.locator("li.appointment").first()).toBeVisible();
  await expect(clinician.locator('[data-code="BLOCKED_BY_PATIENT"]')).toHaveCount(0);

  await open(page, "citizen-multi", "view=blocks");
  await expect(page.getByRole("heading", { name: "Spærringer", exact: true })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("radio", { name: "Sundhedsperson" }).check();
  await page.getByLabel("Sundhedspersonens autorisations-id").fill(authorisationId);
  await page.getByRole("button", { name: "Opret spærring" }).click();
  await expect(page.getByText("Spærringen er oprettet")).toBeVisible();
  const row = page.locator("table.blocks tr").filter({ hasText: authorisationId });
  await expect(row.getByRole("button", { name: /Afslut/ })).toBeVisible();

  try {
    await clinician.reload();
    await expect(clinician.locator('[data-code="BLOCKED_BY_PATIENT"]')).toBeVisible();
    await expect(clinician.locator("li.appointment")).toHaveCount(0);
    await expectAccessible(clinician);
  } finally {
    await row.getByRole("button", { name: /Afslut/ }).click();
    await expect(page.locator("table.blocks tr").filter({ hasText: authorisationId }).getByText(/Afsluttet/)).toBeVisible();
  }
  await clinician.reload();
  await expect(clinician.locator("li.appointment").first()).toBeVisible();
  await clinician.context().close();
});

test("a treatment-place and a period block can be made and ended", async ({ page }) => {
  const sor = String(claims(persona("clinician-auh").token).sor);
  await open(page, "citizen-multi", "view=blocks");
  await page.getByRole("radio", { name: "Periode" }).check();
  await page.getByLabel("Fra og med").first().fill("2020-01-01");
  await page.getByLabel("Til og med").first().fill("2020-12-31");
  await page.getByRole("button", { name: "Opret spærring" }).click();
  await expect(page.getByText("Spærringen er oprettet")).toBeVisible();
  const row = page.locator("table.blocks tr").filter({ hasText: "Periode" }).filter({ has: page.getByRole("button") });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: /Afslut/ }).click();
  await expect(row).toHaveCount(0);

  await page.getByRole("radio", { name: "Behandlingssted" }).check();
  await page.getByRole("searchbox", { name: "Søg på navn eller SOR-id" }).fill(sor);
  await page.getByRole("radio", { name: new RegExp(`SOR ${sor}`) }).check();
  await page.getByRole("checkbox", { name: "inkl. underenheder" }).check();
  await page.getByRole("button", { name: "Opret spærring" }).click();
  const place = page.locator("table.blocks tr").filter({ hasText: `SOR ${sor} inkl. underenheder` });
  await expect(place.getByRole("button", { name: /Afslut/ })).toBeVisible();
  await expectAccessible(page);
  await place.getByRole("button", { name: /Afslut/ }).click();
  await expect(place.getByRole("button")).toHaveCount(0);
});

test("the override flow: basis, reason, the withheld data, its expiry", async ({ page }) => {
  await open(page, "clinician-blocked", "view=list");
  await expect(page.locator('[data-code="BLOCKED_BY_PATIENT"]')).toContainText("tilbageholdt efter patientens ønske");
  await expect(page.locator("li.appointment")).toHaveCount(0);
  await expect(page.getByRole("alert")).toHaveCount(0); // the notice says it, no error besides
  await page.getByRole("button", { name: /Værdispring/ }).click();
  await expectAccessible(page);
  await page.getByRole("radio", { name: "Patienten giver samtykke nu" }).check();
  await page.getByLabel("Begrundelse").fill("Akut indlæggelse, patienten samtykker mundtligt");
  await page.getByRole("button", { name: "Foretag værdispring" }).click();
  await expect(page.locator(".override-active")).toContainText("Værdispring aktivt til kl.");
  await expect(page.locator("li.appointment").first()).toBeVisible();

  // The patient sees it in Min Log.
  await open(page, "citizen-multi", "view=log");
  await expect(page.locator("tr.override").first()).toContainText("Akut indlæggelse");
});
