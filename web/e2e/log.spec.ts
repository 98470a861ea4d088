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
  const newest = page.locator("table.log tbody tr").first();
  await expect(newest).toContainText(doctor.name);
  await expect(newest).toContainText("Så data");
  await expect(newest).toContainText("Aftaler");
  await expectAccessible(page);
});
