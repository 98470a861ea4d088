import type { CodegenConfig } from "@graphql-codegen/cli";

// Operations typed from the committed schema. Persisted documents ON: the generated
// persisted-documents.json (sha256 hash -> document) is the page's operations manifest,
// copied into the build as dist/operations.json (the trusted-documents allowlist of issue 10).
// CODEGEN_OUT lets `npm run codegen:check` regenerate elsewhere and compare.
const out = process.env.CODEGEN_OUT ?? "src/gql/";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*", "!src/**/*.test.ts"],
  ignoreNoDocuments: false,
  generates: {
    [out]: {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: "sha256" },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: "string", Date: "string", JSON: "unknown" },
      },
    },
  },
};

export default config;
