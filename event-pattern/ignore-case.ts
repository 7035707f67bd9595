/**
 * `equals-ignore-case` as event-ruler implements it: each character of the pattern may appear in
 * the event as its lower-case or its upper-case form (Locale.ROOT), nothing else — so the event
 * is not itself case-folded (the Kelvin sign does not match "k").
 */
export class IgnoreCaseText {
  /** Per pattern character for an all-ASCII pattern: its lower- and upper-case char codes. */
  private readonly lower?: Uint16Array;
  private readonly upper?: Uint16Array;
  /** For other patterns: anchored regular expressions over the case alternatives. */
  private readonly whole?: RegExp;
  private readonly start?: RegExp;
  private readonly end?: RegExp;

  constructor(readonly pattern: string) {
    // eslint-disable-next-line no-control-regex -- ASCII is exactly code points 0 to 127
    if (/^[\x00-\x7f]*$/.test(pattern)) {
      this.lower = Uint16Array.from(pattern.toLowerCase(), (c) => c.charCodeAt(0));
      this.upper = Uint16Array.from(pattern.toUpperCase(), (c) => c.charCodeAt(0));
      return;
    }
    const body = Array.from(pattern, (char) => {
      const forms = [...new Set([char.toLowerCase(), char.toUpperCase()])].map(escapeRegExp);
      return forms.length === 1 ? forms[0] : `(?:${forms.join("|")})`;
    }).join("");
    this.whole = new RegExp(`^${body}$`);
    this.start = new RegExp(`^${body}`);
    this.end = new RegExp(`${body}$`);
  }

  equals(value: string): boolean {
    if (this.whole !== undefined) return this.whole.test(value);
    return value.length === this.pattern.length && this.sameAt(value, 0);
  }

  isPrefixOf(value: string): boolean {
    if (this.start !== undefined) return this.start.test(value);
    return value.length >= this.pattern.length && this.sameAt(value, 0);
  }

  isSuffixOf(value: string): boolean {
    if (this.end !== undefined) return this.end.test(value);
    return value.length >= this.pattern.length && this.sameAt(value, value.length - this.pattern.length);
  }

  private sameAt(value: string, offset: number): boolean {
    const lower = this.lower as Uint16Array;
    const upper = this.upper as Uint16Array;
    for (let i = 0; i < lower.length; i++) {
      const code = value.charCodeAt(offset + i);
      if (code !== lower[i] && code !== upper[i]) return false;
    }
    return true;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}
