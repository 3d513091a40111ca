export type { ClaimedTask } from "./automation";
export { ShortDramaClient } from "./client";
export * from "./errors";
export type { FileInput } from "./files";
export type { ClientOptions, FetchLike, WebSocketFactory, WebSocketLike } from "./http";
export type { ExportDetail } from "./studio";
export type { BodyOf, DataOf, Paths, ProgressFrame, QueryOf, ResponseOf, Schemas } from "./types";
export { type WatchOptions, WorkflowWatch } from "./watch";
