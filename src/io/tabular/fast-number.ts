const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_DIGITS = 15;

/**
 * Reads a plain decimal number (`-12.5`, `3e-4`) straight from the characters text[start, end),
 * without creating a string. Returns undefined when the text is not such a number or has too many
 * digits for an exact answer; the caller then falls back to `Number()`. When it answers, the value is
 * the same `Number()` gives: a mantissa below 2^53 times an exact power of ten is rounded once.
 */
export function fastNumber(text: string, start: number, end: number): number | undefined {
  let i = start;
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === 45 || c === 43) {
    negative = c === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let significant = 0;
  let exponent = 0;
  for (; i < end; i++) {
    c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    digits++;
    if (significant > 0 || c > 0) significant++;
    mantissa = mantissa * 10 + c;
  }
  if (i < end && text.charCodeAt(i) === 46) {
    for (i++; i < end; i++) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      digits++;
      if (significant > 0 || c > 0) significant++;
      mantissa = mantissa * 10 + c;
      exponent--;
    }
  }
  if (digits === 0 || significant > MAX_DIGITS) return undefined;
  if (i < end && (text.charCodeAt(i) | 32) === 101) {
    i++;
    let exponentNegative = false;
    c = text.charCodeAt(i);
    if (c === 45 || c === 43) {
      exponentNegative = c === 45;
      i++;
    }
    let value = 0;
    let exponentDigits = 0;
    for (; i < end; i++) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      exponentDigits++;
      value = value * 10 + c;
      if (value > 1000) return undefined;
    }
    if (exponentDigits === 0) return undefined;
    exponent += exponentNegative ? -value : value;
  }
  if (i !== end) return undefined;
  let result: number;
  if (mantissa === 0) result = 0;
  else if (exponent >= 0) {
    const power = POWERS_OF_TEN[exponent];
    if (power === undefined) return undefined;
    result = mantissa * power;
  } else {
    const power = POWERS_OF_TEN[-exponent];
    if (power === undefined) return undefined;
    result = mantissa / power;
  }
  return negative ? -result : result;
}
