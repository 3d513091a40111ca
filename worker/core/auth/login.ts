import type { RateLimiterClient } from "../../../durable-objects/rate-limiter/client";
import { unauthorized } from "../../platform/errors";
import type { AppContext } from "../context";
import { policies, rateLimitError } from "../rate-limits";
import { checkCredentials, normaliseEmail, startSession, type TokenPair } from "./accounts";

/**
 * Login with brute-force guards: attempts per client IP, and attempts per email that a success
 * forgives (so what accumulates are failures).
 * Both fail closed: if the counters are unreachable, logins wait rather than go unguarded. An
 * unknown email and a wrong password give the same answer in the same time.
 */
export async function login(
  ctx: AppContext,
  limiter: RateLimiterClient,
  ip: string,
  emailInput: string,
  password: string,
): Promise<TokenPair> {
  const email = normaliseEmail(emailInput);
  const p = policies(ctx.config);
  const ipPolicy = p.loginIp(ip);
  const ipResult = await limiter.hit(ipPolicy.name, ipPolicy, "closed");
  if (!ipResult.allowed)
    throw rateLimitError(ipResult, ipPolicy, "Too many login attempts from this address");

  // The attempt is counted before the password is checked, in one step of the email's counter
  // object, so parallel guesses cannot all pass a check that only looked: at most `limit`
  // passwords are ever checked per window. A success forgives the account's counted attempts.
  const emailPolicy = p.loginEmail(email);
  const emailResult = await limiter.hit(emailPolicy.name, emailPolicy, "closed");
  if (!emailResult.allowed) {
    throw rateLimitError(
      emailResult,
      emailPolicy,
      "Too many failed login attempts for this account; try again later",
    );
  }

  const user = await checkCredentials(ctx, email, password);
  if (!user) throw unauthorized("Incorrect email or password");
  ctx.defer(limiter.clear(emailPolicy.name));
  return startSession(ctx, user.id);
}
