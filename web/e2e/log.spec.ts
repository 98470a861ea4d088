import { persona } from "./world";
import { expect, expectAccessible, open, otherPage, test } from "./fixtures";

test("Min Log shows the clinician's read, newest first", async ({ page, browser }) => {
  const doctor = persona("clinician-auh");
  const clinician = await otherPage(browser);
  await open(clinician, doctor.id, "view=list");
  await expect(clinician.locator("li.appointment").first()).toBeVisible();
  await clinician.context().close();

  await open(page, "citizen-multi", "view=log");
  await expect(page.getByRole("heading", { name: "Min Log" })).toBeVisible();
  // Her page asked for the appointments (and, for its header, the patient's name): both reads
  // are the newest entries, in whichever order they were written.
  const newest = page.locator("table.log tbody tr").filter({ hasText: doctor.name });
  await expect(page.locator("table.log tbody tr").first()).toContainText(doctor.name);
  await expect(newest.filter({ hasText: "Aftaler" }).first()).toBeVisible();
  await expectAccessible(page);
});
