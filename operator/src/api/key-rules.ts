// Rules on the keys of spec.tags and spec.parameters. A structural CRD schema cannot constrain map keys
// (no propertyNames), so they are CEL rules on the map, mirrored for the parse.
import type { CelRule } from './cel.js';
import { patterns } from './patterns.js';

/** RDS allows 50 tags per resource, counting the ownership tags the operator puts on every instance
 * (db.servio.io/owner-namespace, -name, -uid, db.servio.io/role, app.kubernetes.io/managed-by). The naming tests
 * hold OPERATOR_TAG_COUNT to the tags the operator really sets. */
export const RDS_MAX_TAGS_PER_RESOURCE = 50;
export const OPERATOR_TAG_COUNT = 5;
export const MAX_USER_TAGS = RDS_MAX_TAGS_PER_RESOURCE - OPERATOR_TAG_COUNT;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
export const MAX_PARAMETER_NAME_LENGTH = 255;

const celPattern = (re: RegExp) => re.source.replace(/\\/g, '\\\\');

type Keyed = Readonly<Record<string, string>>;

export const tagKeyRules: readonly CelRule<Keyed>[] = [
  {
    rule: `self.all(k, size(k) >= 1 && size(k) <= ${MAX_TAG_KEY_LENGTH} && k.matches('${celPattern(patterns.tagText)}'))`,
    message: `tag keys must be 1 to ${MAX_TAG_KEY_LENGTH} characters: letters, digits, spaces and _ . : / = + - @`,
    holds: (tags) => Object.keys(tags).every((k) => k.length >= 1 && k.length <= MAX_TAG_KEY_LENGTH && patterns.tagText.test(k)),
  },
];

export const parameterNameRules: readonly CelRule<Keyed>[] = [
  {
    rule: `self.all(k, size(k) <= ${MAX_PARAMETER_NAME_LENGTH} && k.matches('${celPattern(patterns.parameterName)}'))`,
    message:
      'parameter names are PostgreSQL parameter names: letters, digits, underscores and dots, starting with a letter or underscore (e.g. max_connections, rds.force_ssl)',
    holds: (parameters) => Object.keys(parameters).every((k) => k.length <= MAX_PARAMETER_NAME_LENGTH && patterns.parameterName.test(k)),
  },
];
