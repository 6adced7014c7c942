import { describe, expect, it } from 'vitest';
import { generateMasterPassword, masterPasswordProblem } from './credentials.js';

describe('masterPasswordProblem: what RDS for PostgreSQL takes as a master password', () => {
  it.each([
    ['8 characters', 'abcdefgh'],
    ['128 characters', 'x'.repeat(128)],
    ['every printable ASCII character but / " @ \' and space', '!#$%&()*+,-.0123456789:;<=>?ABCXYZ[\\]^_`abcxyz{|}~'],
  ])('accepts %s', (_, password) => {
    expect(masterPasswordProblem(password)).toBeUndefined();
  });

  it.each([
    ['no password', undefined, 'it has no password key'],
    ['an empty one', '', 'it has no password key'],
    ['7 characters', 'abcdefg', 'the password must be 8 to 128 characters long'],
    ['129 characters', 'x'.repeat(129), 'the password must be 8 to 128 characters long'],
    ['a slash', 'abcd/efgh', 'printable ASCII characters other than / " @'],
    ['a double quote', 'abcd"efgh', 'printable ASCII characters other than / " @'],
    ['an at sign', 'abcd@efgh', 'printable ASCII characters other than / " @'],
    ['a single quote', "abcd'efgh", 'printable ASCII characters other than / " @'],
    ['a space', 'abcd efgh', 'printable ASCII characters other than / " @'],
    ['a non-ASCII letter', 'abcdéfgh', 'printable ASCII characters other than / " @'],
  ])('refuses %s, without showing it', (_, password, problem) => {
    const found = masterPasswordProblem(password);
    expect(found).toContain(problem);
    if (password) expect(found).not.toContain(password);
  });

  it('never generates a password it would refuse', () => {
    for (let i = 0; i < 200; i++) expect(masterPasswordProblem(generateMasterPassword())).toBeUndefined();
  });
});
