import { snakeKeys } from "./case";
import type { Transport } from "./http";
import type { BodyOf, Input, ResponseOf } from "./types";

type Id = number | string;

/**
 * AI generation: the providers this deployment offers, a workflow's quote before it runs (pass its
 * `quoteId` to `workflows.start` to refuse a start whose quote changed), and a storyboard's takes.
 * Which provider a step uses goes in the workflow's `options.image` / `options.llm`; the answer of
 * `workflows.get` names it per step (`steps[i].provider`).
 */
export class Generation {
  constructor(private readonly http: Transport) {}

  providers() {
    return this.http.request<ResponseOf<"/api/v1/providers", "get">>("GET", "/api/v1/providers");
  }
  estimate(body: Input<BodyOf<"/api/v1/workflows/estimate", "post">>) {
    return this.http.request<ResponseOf<"/api/v1/workflows/estimate", "post">>(
      "POST",
      "/api/v1/workflows/estimate",
      {
        json: snakeKeys(body),
      },
    );
  }
  takes(storyboardId: Id) {
    return this.http.request<ResponseOf<"/api/v1/storyboards/{storyboard_id}/takes", "get">>(
      "GET",
      `/api/v1/storyboards/${storyboardId}/takes`,
    );
  }
  selectTake(storyboardId: Id, takeId: Id) {
    return this.http.request<
      ResponseOf<"/api/v1/storyboards/{storyboard_id}/takes/{take_id}/select", "post">
    >("POST", `/api/v1/storyboards/${storyboardId}/takes/${takeId}/select`, { json: {} });
  }
}
