export * from "./image-header";
export * from "./render-events";
export * from "./render-spec";
export * from "./segments";
export * from "./signing";
export * from "./speech";
export * from "./timeline";
export * from "./upload-protocol";
