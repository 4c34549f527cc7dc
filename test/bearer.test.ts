// The one reading of `Authorization: Bearer <token>` (RFC 6750, one space): the cases the edge and
// the node are tested on over HTTP, and those HTTP would trim before a server saw them.
import { describe, expect, it } from "vitest";
import { bearerToken, isBearerToken } from "../shared/http/bearer.ts";
import { bearerCases } from "./support/bearer-cases.ts";

const TOKEN = "sk-steer-abc_DEF-123.~+/==";

describe("bearerToken", () => {
  it.each(bearerCases(TOKEN))("%j carries the token: %s", (header, carries) => {
    expect(bearerToken(header)).toBe(carries ? TOKEN : undefined);
  });

  it("takes nothing around the token, and no header at all", () => {
    for (const header of [`Bearer ${TOKEN} `, ` Bearer ${TOKEN}`, "Bearer ", "", undefined]) {
      expect(bearerToken(header)).toBeUndefined();
    }
  });

  it("says which configured secrets could be sent", () => {
    expect(isBearerToken(TOKEN)).toBe(true);
    for (const secret of ["two words", "comma,", "=leading", "ünïcode"]) {
      expect(isBearerToken(secret)).toBe(false);
    }
  });
});
