// Runs in every integration test file: each file starts from an empty RDS emulator.
import { beforeAll } from 'vitest';
import { resetAws } from './helpers.js';

beforeAll(async () => {
  await resetAws();
});
