import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Two pages, one build: the reference page and GraphiQL, every byte served by the gateway
// (no CDN, no web fonts from elsewhere). Small assets are files too, never data: URLs in CSS.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { index: "index.html", graphiql: "graphiql.html" } },
  },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
