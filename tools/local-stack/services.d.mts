export function freePort(): Promise<number>;
export function startRedis(): Promise<{ url: string; stop(): Promise<void> }>;
export function redisServerArgs(port: number, dir: string): string[];
