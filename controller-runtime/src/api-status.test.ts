import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { httpStatusOf, isConflict, isNotFound } from './api-status.js';

describe('httpStatusOf', () => {
  it('reads ApiException.code and the Watch error statusCode', () => {
    expect(httpStatusOf(new ApiException(404, 'Not Found', {}, {}))).toBe(404);
    expect(httpStatusOf(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe(410);
  });

  it('is undefined for network errors and non-errors', () => {
    expect(httpStatusOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(httpStatusOf('boom')).toBeUndefined();
    expect(httpStatusOf(null)).toBeUndefined();
  });

  it('names the two statuses callers branch on', () => {
    expect(isNotFound(new ApiException(404, '', {}, {}))).toBe(true);
    expect(isConflict(new ApiException(409, '', {}, {}))).toBe(true);
    expect(isConflict(new ApiException(422, '', {}, {}))).toBe(false);
  });
});
