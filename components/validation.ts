/** Checks of argument values against AWS's limits, with messages that name the resource and key. */

export function assertInteger(where: string, key: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${where}: ${key} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export function assertLogRetention(where: string, key: string, days: number | undefined): void {
  if (days !== undefined && !LOG_RETENTION_DAYS.includes(days)) {
    throw new Error(`${where}: ${key} ${days} is not a CloudWatch Logs retention (${LOG_RETENTION_DAYS.join(", ")})`);
  }
}
