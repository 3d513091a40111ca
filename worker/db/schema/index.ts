export * from "./automation";
export * from "./billing";
export * from "./generation";
export * from "./studio";
