import { AwsError } from "../../aws-error";

/**
 * DynamoDB numbers: exact decimals of up to 38 significant digits, magnitudes 10^-130 to 10^126
 * (a little more lenient here), compared and added without rounding.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
 */

interface Decimal {
  /** value = mantissa × 10^-scale, with no trailing zero digits in the mantissa when scale > 0. */
  mantissa: bigint;
  scale: number;
}

const NUMBER = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

function parseDecimal(text: string): Decimal {
  const match = NUMBER.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) throw AwsError.validation(`The parameter cannot be converted to a numeric value: ${text}`);
  const [, sign, whole, fraction = "", exponentText] = match;
  const exponent = Number(exponentText ?? 0);
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, "");
  if (Math.abs(exponent) > 400 || digits.replace(/^0+/, "").length > 38) throw AwsError.validation(`Number overflow. Attempting to store a number with magnitude larger than supported range: ${text}`);
  let mantissa = BigInt(`${sign}${digits || "0"}`);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    mantissa *= 10n ** BigInt(-scale);
    scale = 0;
  }
  while (scale > 0 && mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale--;
  }
  return { mantissa, scale };
}

function formatDecimal({ mantissa, scale }: Decimal): string {
  const negative = mantissa < 0n;
  let digits = (negative ? -mantissa : mantissa).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, "0");
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative && digits !== "0" ? `-${digits}` : digits;
}

export const canonicalNumber = (text: string) => formatDecimal(parseDecimal(text));

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.mantissa * 10n ** BigInt(scale - a.scale), b.mantissa * 10n ** BigInt(scale - b.scale), scale];
}

export function compareNumbers(a: string, b: string): number {
  const [x, y] = aligned(parseDecimal(a), parseDecimal(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addNumbers(a: string, b: string, negateB = false): string {
  const [x, y, scale] = aligned(parseDecimal(a), parseDecimal(b));
  return canonicalNumber(formatDecimal({ mantissa: negateB ? x - y : x + y, scale }));
}

