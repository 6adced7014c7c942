import { describe, expect, it } from 'vitest';
import { adaptiveRetryClientConfig } from './client-options.js';

describe('adaptiveRetryClientConfig', () => {
  it('retries adaptively, five attempts unless told, and leaves endpoint and credentials to the SDK when unset', () => {
    expect(adaptiveRetryClientConfig({ region: 'eu-west-1' })).toEqual({ region: 'eu-west-1', retryMode: 'adaptive', maxAttempts: 5 });
  });

  it('passes an emulator endpoint, credentials and attempts through', () => {
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    expect(adaptiveRetryClientConfig({ region: 'us-east-1', endpoint: 'http://127.0.0.1:5000', credentials, maxAttempts: 2 })).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:5000',
      credentials,
      retryMode: 'adaptive',
      maxAttempts: 2,
    });
  });
});
