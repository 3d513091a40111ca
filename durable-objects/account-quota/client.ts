import type { AccountQuota } from "./account-quota";
import type { QuotaStatus, Reservation } from "./interface";

/**
 * Addresses AccountQuota objects by account id. Quota is money on a third-party platform, so
 * every failure here is closed: if the object cannot be reached the account is unavailable.
 */
export class AccountQuotaClient {
  constructor(
    private readonly namespace: DurableObjectNamespace<AccountQuota>,
    private readonly timeZone: string,
  ) {}

  private stub(accountId: number) {
    return this.namespace.get(this.namespace.idFromName(`account:${accountId}`));
  }

  status(accountId: number, limit: number, now: number): Promise<QuotaStatus> {
    return this.stub(accountId).status({ limit, now, timeZone: this.timeZone });
  }

  reserve(accountId: number, limit: number, reservationId: string, now: number): Promise<Reservation> {
    return this.stub(accountId).reserve({ limit, reservationId, now, timeZone: this.timeZone });
  }

  async release(accountId: number, reservationId: string): Promise<boolean> {
    return (await this.stub(accountId).release({ reservationId })).released;
  }

  setUsage(accountId: number, limit: number, usedToday: number, now: number): Promise<QuotaStatus> {
    return this.stub(accountId).setUsage({ limit, usedToday, now, timeZone: this.timeZone });
  }
}
