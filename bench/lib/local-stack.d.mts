export interface LocalStack {
  apiUrl: string;
  rendererUrl: string;
  redisUrl: string | null;
  output(): string;
  stop(): Promise<void>;
}
export function startLocalStack(opts?: { redis?: boolean }): Promise<LocalStack>;
