const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The shortest decimal number that is still the same float32: 0.1f becomes 0.1 rather than
 * 0.10000000149011612, as numpy prints it. Tries 1 to 9 significant digits with arithmetic rather
 * than strings, and with strings where powers of ten are no longer exact doubles.
 */
export function shortestFloat32(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  for (let digits = 1; digits <= 9; digits++) {
    const shift = digits - 1 - magnitude;
    const power = POWERS_OF_TEN[Math.abs(shift)];
    if (power === undefined) return shortestByText(value);
    const candidate = shift >= 0 ? Math.round(value * power) / power : Math.round(value / power) * power;
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

function shortestByText(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}
