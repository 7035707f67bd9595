/**
 * Structured JSON logs, one line per entry, in the shape Powertools Logger uses
 * (level, message, service, timestamp, then fields). Secrets are redacted at
 * any depth: a payment token never reaches the logs.
 */

type Level = "DEBUG" | "INFO" | "WARN" | "ERROR";
type Fields = Record<string, unknown>;

const SECRET_KEYS = new Set(["paymenttoken", "authorization", "password"]);
const LEVELS: Record<Level, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEYS.has(key.toLowerCase()) ? "[REDACTED]" : redact(item, depth + 1),
    ]),
  );
}

function minimumLevel(): number {
  const configured = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? "INFO").toUpperCase();
  return LEVELS[configured as Level] ?? LEVELS.INFO;
}

function write(level: Level, message: string, fields: Fields = {}): void {
  if (LEVELS[level] < minimumLevel()) return;
  const entry = {
    level,
    message,
    service: process.env.POWERTOOLS_SERVICE_NAME ?? "dealership",
    timestamp: new Date().toISOString(),
    ...(redact(fields) as Fields),
  };
  const line = JSON.stringify(entry);
  if (level === "ERROR" || level === "WARN") console.error(line);
  else console.log(line);
}

export const logger = {
  debug: (message: string, fields?: Fields) => write("DEBUG", message, fields),
  info: (message: string, fields?: Fields) => write("INFO", message, fields),
  warn: (message: string, fields?: Fields) => write("WARN", message, fields),
  error: (message: string, fields?: Fields) => write("ERROR", message, fields),
};
