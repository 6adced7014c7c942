// Names RDS refuses for the master user and the initial database: "can't be a word reserved by the database
// engine" (CreateDBInstance, MasterUsername and DBName). The words are PostgreSQL's fully reserved key words
// (appendix "SQL Key Words", column "reserved", not the ones that are allowed as a column or function name), plus
// rdsadmin, the account and database RDS keeps for itself on every instance. PostgreSQL folds unquoted names to
// lower case, so the comparison ignores case.

export const POSTGRES_RESERVED_WORDS = [
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'asymmetric',
  'both',
  'case',
  'cast',
  'check',
  'collate',
  'column',
  'constraint',
  'create',
  'current_catalog',
  'current_date',
  'current_role',
  'current_time',
  'current_timestamp',
  'current_user',
  'default',
  'deferrable',
  'desc',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'false',
  'fetch',
  'for',
  'foreign',
  'from',
  'grant',
  'group',
  'having',
  'in',
  'initially',
  'intersect',
  'into',
  'lateral',
  'leading',
  'limit',
  'localtime',
  'localtimestamp',
  'not',
  'null',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'placing',
  'primary',
  'references',
  'returning',
  'select',
  'session_user',
  'some',
  'symmetric',
  'system_user',
  'table',
  'then',
  'to',
  'trailing',
  'true',
  'union',
  'unique',
  'user',
  'using',
  'variadic',
  'when',
  'where',
  'window',
  'with',
] as const;

export const RDS_RESERVED_NAMES = ['rdsadmin'] as const;

const refused: readonly string[] = [...POSTGRES_RESERVED_WORDS, ...RDS_RESERVED_NAMES];

export function isRefusedName(name: string): boolean {
  return refused.includes(name.toLowerCase());
}

/** The same test in CEL, for the field the rule sits on. */
export const REFUSED_NAME_CEL = `!(self.lowerAscii() in [${refused.map((w) => `'${w}'`).join(', ')}])`;
