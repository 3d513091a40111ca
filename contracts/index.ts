export * from "./image-header";
export * from "./render-events";
export * from "./render-spec";
export * from "./signing";
export * from "./timeline";
export * from "./upload-protocol";
