export * from "./automation";
export * from "./billing";
export * from "./studio";
