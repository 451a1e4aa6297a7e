import { ApiError } from '../errors/api-error';
import { isPositiveInt4, MAX_INT4, ParsePositiveIntPipe } from './positive-int.pipe';

describe('ParsePositiveIntPipe', () => {
  const pipe = new ParsePositiveIntPipe();

  it.each([
    ['1', 1],
    ['42', 42],
    ['2147483647', MAX_INT4],
  ])('reads %s as %d', (text, number) => {
    expect(pipe.transform(text, { type: 'param', data: 'version' })).toBe(number);
  });

  it('bounds a number the global ValidationPipe already read', () => {
    expect(pipe.transform(7, { type: 'param', data: 'version' })).toBe(7);
    for (const number of [99999999999, 0, 1.5, Number.NaN]) {
      expect(() => pipe.transform(number, { type: 'param', data: 'version' })).toThrow(ApiError);
    }
  });

  it.each(['0', '-1', '2147483648', '99999999999', '1e3', '1.5', ' 1', '0x10', '', 'latest'])(
    'refuses %j with a 400 naming the parameter',
    (text) => {
      let refusal: unknown;
      try {
        pipe.transform(text, { type: 'param', data: 'version' });
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(ApiError);
      expect(refusal).toMatchObject({
        status: 400,
        code: 'invalid_request',
        details: [{ path: 'version', message: 'version must be a whole number from 1 to 2147483647' }],
      });
    },
  );
});

describe('isPositiveInt4', () => {
  it('bounds a number read from a cursor to what an int4 column holds', () => {
    expect(isPositiveInt4(7)).toBe(true);
    expect([1e300, MAX_INT4 + 1, 0, 1.5, Number.NaN, '7'].map(isPositiveInt4)).toEqual([false, false, false, false, false, false]);
  });
});
