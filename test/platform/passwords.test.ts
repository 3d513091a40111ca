import { describe, expect, it } from "vitest";
import {
  hashPassword,
  PASSWORD_HASH_PARAMS,
  parsePasswordHash,
  verifyPassword,
} from "../../worker/core/auth/passwords";

describe("password hashing parameters", () => {
  it("stays deployable: PBKDF2-SHA256 at exactly 100 000 iterations (the production Workers cap)", () => {
    // Local runtimes do not enforce the cap, so this test is the only local signal of drift.
    expect(PASSWORD_HASH_PARAMS).toEqual({
      algorithm: "pbkdf2-sha256",
      iterations: 100_000,
      maxIterations: 100_000,
      saltBytes: 16,
      hashBytes: 32,
    });
    expect(PASSWORD_HASH_PARAMS.iterations).toBeLessThanOrEqual(100_000);
  });

  it("writes a PHC-style string that round-trips", async () => {
    const stored = await hashPassword("SecurePassword123!", "pepper");
    expect(stored).toMatch(/^\$pbkdf2-sha256\$i=100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(parsePasswordHash(stored)?.iterations).toBe(100_000);
    expect(await verifyPassword("SecurePassword123!", stored, "pepper")).toBe(true);
    expect(await verifyPassword("SecurePassword123?", stored, "pepper")).toBe(false);
    // The pepper is part of the hash: the same password with another pepper fails.
    expect(await verifyPassword("SecurePassword123!", stored, "other-pepper")).toBe(false);
    // Salts differ per hash.
    expect(await hashPassword("SecurePassword123!", "pepper")).not.toBe(stored);
  });

  it("refuses stored hashes with out-of-range parameters before deriving anything", async () => {
    const stored = await hashPassword("pw-12345678", "pepper");
    const tooMany = stored.replace("i=100000", "i=600000");
    expect(parsePasswordHash(tooMany)).toBeNull();
    expect(await verifyPassword("pw-12345678", tooMany, "pepper")).toBe(false);
    expect(parsePasswordHash("$pbkdf2-sha256$i=0$AAAA$BBBB")).toBeNull();
    expect(parsePasswordHash("$argon2id$v=19$m=65536,t=3,p=4$abc$def")).toBeNull();
    expect(parsePasswordHash("plaintext")).toBeNull();
  });
});
