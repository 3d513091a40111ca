export interface LocalStack {
  apiUrl: string;
  rendererUrl: string;
  redisUrl: string;
  output(): string;
  stop(): Promise<void>;
}
export function startLocalStack(): Promise<LocalStack>;
