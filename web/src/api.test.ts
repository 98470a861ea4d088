import { describe, expect, it } from "vitest";
import persisted from "./gql/persisted-documents.json";
import { AppointmentsDocument } from "./gql/graphql";
import { documentHash } from "./api";

describe("documentHash", () => {
  it("is the build-time hash of a generated document, one of the manifest's", async () => {
    const hash = await documentHash("", AppointmentsDocument);
    expect(Object.keys(persisted)).toContain(hash);
  });

  it("refuses a document without one rather than send its text", async () => {
    await expect(documentHash("{ x }", { kind: "Document", definitions: [] })).rejects.toThrow(/hash/);
  });
});
