/**
 * Parsing one numeric cell straight from the bytes of a text file, without making a string
 * for the common case (up to 15 significant digits, exponent within +-22, which converts
 * exactly); anything longer falls back to Number(). Returns NaN for anything that is not a
 * plain decimal literal, so callers tell "not a number" apart with `describeBadCell`.
 */

const POW10: number[] = [];
for (let i = 0, p = 1; i <= 22; i++, p *= 10) POW10.push(p);

export function parseNumberCell(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (i < end && (buf[i] === 45 || buf[i] === 43)) {
    neg = buf[i] === 45;
    i++;
  }
  let mant = 0;
  let sig = 0;
  let exp10 = 0;
  let anyDigit = false;
  let slow = false;
  while (i < end) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) break;
    anyDigit = true;
    if (mant !== 0 || c !== 0) {
      if (sig < 15) {
        mant = mant * 10 + c;
        sig++;
      } else slow = true;
    }
    i++;
  }
  if (i < end && buf[i] === 46) {
    i++;
    while (i < end) {
      const c = buf[i] - 48;
      if (c < 0 || c > 9) break;
      anyDigit = true;
      if (mant === 0 && c === 0) exp10--;
      else if (sig < 15) {
        mant = mant * 10 + c;
        sig++;
        exp10--;
      } else slow = true;
      i++;
    }
  }
  if (!anyDigit) return NaN;
  if (i < end && (buf[i] === 101 || buf[i] === 69)) {
    i++;
    let eneg = false;
    if (i < end && (buf[i] === 45 || buf[i] === 43)) {
      eneg = buf[i] === 45;
      i++;
    }
    let e = 0;
    let eDigits = 0;
    while (i < end) {
      const c = buf[i] - 48;
      if (c < 0 || c > 9) break;
      if (e < 100000) e = e * 10 + c;
      eDigits++;
      i++;
    }
    if (eDigits === 0) return NaN;
    exp10 += eneg ? -e : e;
  }
  if (i !== end) return NaN;
  let v: number;
  if (slow || exp10 > 22 || exp10 < -22) {
    v = Number(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'));
    return v;
  }
  if (exp10 === 0) v = mant;
  else if (exp10 > 0) v = mant * POW10[exp10];
  else v = mant / POW10[-exp10];
  return neg ? -v : v;
}

/** Why a cell is not a usable number: 'nan', 'inf', 'range' (finite but beyond float32) or 'text'. */
export function classifyBadCell(text: string): 'nan' | 'inf' | 'range' | 'text' {
  const t = text.trim().toLowerCase();
  if (/^[+-]?nan$/.test(t)) return 'nan';
  if (/^[+-]?inf(inity)?$/.test(t)) return 'inf';
  const n = Number(t);
  if (t !== '' && !Number.isNaN(n)) return Number.isFinite(n) ? 'range' : 'inf';
  return 'text';
}

/** A message fragment explaining why `text` cannot be a feature value. */
export function describeBadCell(text: string, column: string): string {
  const kind = classifyBadCell(text);
  const shown = JSON.stringify(text.length > 40 ? text.slice(0, 40) + '...' : text);
  if (kind === 'nan') return `cell ${shown} in column ${column} is NaN; expected a finite number (remove or impute missing values)`;
  if (kind === 'inf') return `cell ${shown} in column ${column} is infinite; expected a finite number`;
  if (kind === 'range') return `cell ${shown} in column ${column} is too large for 32-bit floats; expected a finite number below 3.4e38`;
  if (text === '') return `empty cell in column ${column}; expected a number`;
  if (/^[+-]?\d*,\d+$/.test(text.trim()))
    return `non-numeric cell ${shown} in column ${column}; expected a number with a decimal point, not a comma`;
  return `non-numeric cell ${shown} in column ${column}; expected a number`;
}
