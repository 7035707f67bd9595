import { digest } from "./ids";

/** VIN characters: digits and letters except I, O and Q. */
const VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
/** World manufacturer identifier of our (fictional) factory. */
const WMI = "5DL";

const TRANSLITERATION: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

function checkDigit(vin: string): string {
  const sum = [...vin].reduce((acc, char, i) => {
    const value = /[0-9]/.test(char) ? Number(char) : TRANSLITERATION[char]!;
    return acc + value * WEIGHTS[i]!;
  }, 0);
  const remainder = sum % 11;
  return remainder === 10 ? "X" : String(remainder);
}

/**
 * The VIN of the vehicle built for an order: derived from the orderId, so a
 * redelivered order always yields the same VIN. 17 characters without I/O/Q,
 * with a valid check digit in position 9.
 */
export function vinForOrder(orderId: string): string {
  const body = `${WMI}${digest(["vin", orderId], 13, VIN_ALPHABET)}`;
  const withPlaceholder = `${body.slice(0, 8)}0${body.slice(8, 16)}`;
  return `${body.slice(0, 8)}${checkDigit(withPlaceholder)}${body.slice(8, 16)}`;
}
