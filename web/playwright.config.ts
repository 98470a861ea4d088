import { defineConfig } from "@playwright/test";

// Headless Debian Chromium (no browser is downloaded here); SPO_CHROMIUM overrides the path.
// The world (simulators + gateway on ephemeral 127.0.0.1 ports, a fresh SQLite database, the
// demo seed) is started once by e2e/global-setup.ts and stopped by PID in global-teardown.ts.
// One worker: the tests share that world (a block made in one is ended before the next).
export default defineConfig({
  testDir: "e2e",
  // The README's screenshots are made on request only (npm run screenshots).
  testIgnore: process.env.SPO_SCREENSHOTS ? [] : ["**/screenshots.spec.ts"],
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? "line" : "list",
  use: {
    headless: true,
    locale: "da-DK",
    timezoneId: "Europe/Copenhagen",
    launchOptions: {
      executablePath: process.env.SPO_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox"],
    },
    trace: "off",
  },
});
