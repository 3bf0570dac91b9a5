import { describe, expect, it } from 'vitest';
import { divideHalfEven, formatUnits, parseUnits } from '../../../../server/stream/parse-decimal.ts';
import { createRandom } from './trade-fixtures.ts';

/** The expected units, by plain string work: pad or cut the fraction to `scale` digits. */
function reference(text: string, scale: number): bigint | null {
  const [whole = '', fraction = ''] = text.split('.');
  if (/[1-9]/.test(fraction.slice(scale))) return null;
  return BigInt(whole + fraction.slice(0, scale).padEnd(scale, '0'));
}

describe('parseUnits', () => {
  it('reads prices and sizes exactly into integer units', () => {
    expect(parseUnits('67143.18000000', 8)).toBe(6_714_318_000_000n);
    expect(parseUnits('67143.18', 8)).toBe(6_714_318_000_000n);
    expect(parseUnits('0.5', 8)).toBe(50_000_000n);
    expect(parseUnits('0.00000001', 8)).toBe(1n);
    expect(parseUnits('12', 8)).toBe(1_200_000_000n);
    expect(parseUnits('0', 8)).toBe(0n);
    expect(parseUnits('0.0', 2)).toBe(0n);
    expect(parseUnits('007.10', 2)).toBe(710n);
    expect(parseUnits('1.5', 0)).toBeNull();
    expect(parseUnits('15', 0)).toBe(15n);
  });

  it('keeps digits a float would lose', () => {
    expect(parseUnits('99999999999.99999999', 8)).toBe(9_999_999_999_999_999_999n);
    expect(parseUnits('0.1', 8)! + parseUnits('0.2', 8)!).toBe(parseUnits('0.3', 8));
  });

  it('accepts decimals beyond the scale only when they are zeros', () => {
    expect(parseUnits('1.123456780000', 8)).toBe(112_345_678n);
    expect(parseUnits('1.10', 1)).toBe(11n);
    expect(parseUnits('1.123456781', 8)).toBeNull();
    expect(parseUnits('1.000000001', 8)).toBeNull();
    expect(parseUnits('1.05', 1)).toBeNull();
  });

  it('refuses everything that is not a plain non-negative decimal', () => {
    const bad = ['', ' ', '-1', '+1', '1e5', '1E5', '1.5e-3', ' 1', '1 ', '1 000', 'abc', '1.2.3', '.5', '5.', '.', '0x10', '1,5', 'NaN', 'Infinity', '١٢'];
    for (const text of bad) expect(parseUnits(text, 8), JSON.stringify(text)).toBeNull();
  });

  it('refuses absurdly long text, but not a long valid price', () => {
    expect(parseUnits('1'.repeat(41), 8)).toBeNull();
    expect(parseUnits(`1.${'0'.repeat(39)}`, 8)).toBeNull();
    expect(parseUnits(`1.${'0'.repeat(38)}`, 8)).toBe(100_000_000n);
    expect(parseUnits('1'.repeat(40), 0)).toBe(BigInt('1'.repeat(40)));
  });

  it('agrees with plain string arithmetic around 2^53 and for every digit count', () => {
    const random = createRandom(7);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
    for (let i = 0; i < 20_000; i++) {
      const scale = [0, 2, 8, 8, 12][i % 5]!;
      const fraction = digits(Math.floor(random() * 11));
      const text = `${digits(1 + Math.floor(random() * 20))}${fraction ? `.${fraction}` : ''}`;
      expect(parseUnits(text, scale), `${text} at scale ${scale}`).toBe(reference(text, scale));
    }
    expect(parseUnits('90071992.54740991', 8)).toBe(9_007_199_254_740_991n);
    expect(parseUnits('90071992.54740993', 8)).toBe(9_007_199_254_740_993n);
    expect(parseUnits('9007199.254740993', 9)).toBe(9_007_199_254_740_993n);
    expect(parseUnits('999999999999999.9', 8)).toBe(99_999_999_999_999_990_000_000n);
  });

  it('returns null for a value that is not a string', () => {
    expect(parseUnits(12 as unknown as string, 8)).toBeNull();
    expect(parseUnits(null as unknown as string, 8)).toBeNull();
  });
});

describe('divideHalfEven', () => {
  it('rounds to the nearest integer', () => {
    expect(divideHalfEven(10n, 4n)).toBe(2n); // 2.5 -> 2
    expect(divideHalfEven(14n, 4n)).toBe(4n); // 3.5 -> 4
    expect(divideHalfEven(11n, 4n)).toBe(3n); // 2.75
    expect(divideHalfEven(9n, 4n)).toBe(2n); // 2.25
    expect(divideHalfEven(12n, 4n)).toBe(3n);
    expect(divideHalfEven(0n, 7n)).toBe(0n);
    expect(divideHalfEven(1n, 2n)).toBe(0n);
    expect(divideHalfEven(3n, 2n)).toBe(2n);
  });

  it('is symmetric around zero', () => {
    expect(divideHalfEven(-10n, 4n)).toBe(-2n);
    expect(divideHalfEven(-14n, 4n)).toBe(-4n);
    expect(divideHalfEven(14n, -4n)).toBe(-4n);
    expect(divideHalfEven(-11n, -4n)).toBe(3n);
  });

  it('throws on a zero denominator', () => {
    expect(() => divideHalfEven(1n, 0n)).toThrow(RangeError);
  });
});

describe('formatUnits', () => {
  it('prints exactly dp decimals, padding when dp >= scale', () => {
    expect(formatUnits(6_714_318_000_000n, 8, 8)).toBe('67143.18000000');
    expect(formatUnits(5n, 8, 8)).toBe('0.00000005');
    expect(formatUnits(0n, 8, 8)).toBe('0.00000000');
    expect(formatUnits(710n, 2, 8)).toBe('7.10000000');
    expect(formatUnits(7n, 0, 2)).toBe('7.00');
    expect(formatUnits(1234n, 2, 0)).toBe('12');
  });

  it('rounds half-even when dp < scale', () => {
    expect(formatUnits(125n, 2, 1)).toBe('1.2');
    expect(formatUnits(135n, 2, 1)).toBe('1.4');
    expect(formatUnits(126n, 2, 1)).toBe('1.3');
    expect(formatUnits(1_000_000_005n, 9, 8)).toBe('1.00000000');
    expect(formatUnits(1_000_000_015n, 9, 8)).toBe('1.00000002');
    expect(formatUnits(5n, 1, 0)).toBe('0');
    expect(formatUnits(15n, 1, 0)).toBe('2');
    expect(formatUnits(99_999n, 4, 2)).toBe('10.00');
  });

  it('signs negative values and never prints -0', () => {
    expect(formatUnits(-5n, 2, 2)).toBe('-0.05');
    expect(formatUnits(-125n, 2, 1)).toBe('-1.2');
    expect(formatUnits(-4n, 2, 1)).toBe('0.0');
  });
});
