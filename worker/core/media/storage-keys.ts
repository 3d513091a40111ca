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
