/**
 * event-ruler compares numbers as IEEE-754 doubles and refuses a number literal the double cannot
 * hold exactly ("Cannot compare number : <literal>"), e.g. `1E309` or `0.30000000000000000001`:
 * the literal's decimal value must equal the double's shortest decimal form.
 */
export function isComparableNumberLiteral(literal: string): boolean {
  const value = Number(literal);
  if (!Number.isFinite(value)) return false;
  const exact = canonicalDecimal(literal);
  return exact !== undefined && exact === canonicalDecimal(String(value));
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** `sign digits e exponent` with no leading/trailing zeros, so equal values give equal strings. */
function canonicalDecimal(text: string): string | undefined {
  const parts = DECIMAL.exec(text);
  if (parts === null) return undefined;
  const [, sign, whole, fraction = "", exponent = "0"] = parts;
  let digits = (whole + fraction).replace(/^0+/, "");
  if (digits === "") return "0";
  let scale = Number(exponent) - fraction.length;
  const trimmed = digits.replace(/0+$/, "");
  scale += digits.length - trimmed.length;
  digits = trimmed;
  return `${sign === "-" ? "-" : ""}${digits}e${scale}`;
}
