/**
 * @event-routes/components: the component library: EventBridge buses, routes and targets that grant
 * themselves least privilege, and the building blocks they route to. Knows nothing of cars.
 */
export * from "./bundle";
export * from "./bundled-function";
export * from "./bus-ref";
export * from "./context";
export * from "./encryption-key";
export * from "./event-bus";
export * from "@event-routes/event-pattern";
export * from "./iam";
export * from "./naming";
export * from "./observability";
export * from "./queue";
export * from "./route";
export * from "./target-input";
export * from "./targets";
export * from "./topic";
export * from "./workflow";
export * from "./contract-pattern";
export * from "./validation";
