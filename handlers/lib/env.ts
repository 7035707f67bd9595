import { ConfigurationError } from "./errors";

/** Reads a required environment variable (at call time, so tests and lazy clients see the current value). */
export function requireEnv(name: "EVENT_BUS_NAME" | "STATE_TABLE_NAME"): string {
  const value = process.env[name];
  if (!value) throw new ConfigurationError(`Environment variable ${name} is not set`);
  return value;
}
