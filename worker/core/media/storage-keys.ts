/**
 * R2 keys are always made here, from server-side ids only: a client-supplied name never reaches a
 * key, so no path tricks (`../`, NUL, RTL overrides) can address another tenant's objects.
 */
export function userPrefix(ownerId: number): string {
  return `users/${ownerId}/`;
}

export function projectPrefix(ownerId: number, projectId: string): string {
  return `${userPrefix(ownerId)}projects/${projectId}/`;
}

export function assetKey(ownerId: number, assetId: number): string {
  return `${userPrefix(ownerId)}assets/${assetId}`;
}

const EXTENSIONS: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };

/** A character's reference image: a new random name per upload, so replacing never races a reader. */
export function characterImageKey(ownerId: number, projectId: string, contentType: string): string {
  return `${projectPrefix(ownerId, projectId)}characters/${crypto.randomUUID()}.${EXTENSIONS[contentType] ?? "bin"}`;
}

/**
 * A storyboard image. Generated images are named after the task or request that drew them, so a
 * retried generation overwrites its own object instead of leaving a second one behind.
 */
export function storyboardImageKey(
  ownerId: number,
  projectId: string,
  storyboardId: number,
  name: string,
  contentType: string,
): string {
  return `${projectPrefix(ownerId, projectId)}storyboards/${storyboardId}/${name}.${EXTENSIONS[contentType] ?? "bin"}`;
}

export function generatedCharacterKey(
  ownerId: number,
  projectId: string,
  characterId: number,
  name: string,
): string {
  return `${projectPrefix(ownerId, projectId)}characters/${characterId}-${name}.png`;
}

/** Outputs of an export, all under the project (removed with it): video, sidecars, poster, sheet. */
export function exportKey(ownerId: number, projectId: string, exportId: number, file: string): string {
  return `${projectPrefix(ownerId, projectId)}exports/${exportId}/${file}`;
}
