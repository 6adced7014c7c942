// Formats of the AWS and Kubernetes identifiers the spec accepts. They are written once here because each one
// is enforced twice: by zod when the operator parses an object, and by the API server (as an OpenAPI `pattern`,
// evaluated with Go's RE2), so they must stay in the subset both regex engines read the same way: no lookaround,
// no backreferences, no inline flags.

const HH_MI = '(?:[01][0-9]|2[0-3]):[0-5][0-9]';
// RDS accepts the day in any case and reports it back in lower case.
const DAY = '(?:[Mm]on|[Tt]ue|[Ww]ed|[Tt]hu|[Ff]ri|[Ss]at|[Ss]un)';
const PARTITION = 'arn:aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-[0-9]';
const ACCOUNT = '[0-9]{12}';
const KEY_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MULTI_REGION_KEY_ID = 'mrk-[0-9a-f]{32}';
const ALIAS = 'alias/[A-Za-z0-9/_-]{1,250}';
const DNS_LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';

export const patterns = {
  /** db.<family>.<size>, e.g. db.r6g.xlarge; some classes carry extra suffixes (db.r5b.8xlarge.tpc2.mem3x). */
  instanceClass: new RegExp('^db\\.[a-z0-9]+(?:\\.[a-z0-9]+)+$'),
  engineVersion: /^[0-9]+(?:\.[0-9]+)*$/,
  /** RDS: 1 to 63 letters, digits or underscores, starting with a letter. */
  postgresIdentifier: /^[A-Za-z][A-Za-z0-9_]{0,62}$/,
  backupWindow: new RegExp(`^${HH_MI}-${HH_MI}$`),
  maintenanceWindow: new RegExp(`^${DAY}:${HH_MI}-${DAY}:${HH_MI}$`),
  iamRoleArn: new RegExp(`^${PARTITION}:iam::${ACCOUNT}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`),
  /** Key id, multi-Region key id, alias, or the ARN of a key or alias; empty means the AWS managed key. */
  kmsKeyId: new RegExp(
    `^(?:${KEY_ID}|${MULTI_REGION_KEY_ID}|${ALIAS}|${PARTITION}:kms:${REGION}:${ACCOUNT}:(?:key/(?:${KEY_ID}|${MULTI_REGION_KEY_ID})|${ALIAS}))?$`,
  ),
  securityGroupId: /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
  subnetGroupName: /^[A-Za-z0-9._ -]{1,255}$/,
  /** AWS tag keys and values: Unicode letters, separators and digits, and _ . : / = + - @ (RE2 and JavaScript read
   * \p{...} alike; JavaScript needs the u flag). */
  tagText: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  /** A PostgreSQL run-time parameter: rds.force_ssl, pg_stat_statements.track, TimeZone. */
  parameterName: /^[A-Za-z_][A-Za-z0-9_.]*$/,
  /** A DNS-1123 subdomain (Secret and ConfigMap names), or empty for the operator's default name. */
  optionalObjectName: new RegExp(`^(?:${DNS_LABEL}(?:\\.${DNS_LABEL})*)?$`),
  /** An RDS identifier as the operator writes it: lower case, starts with a letter, no double or trailing hyphen. */
  rdsIdentifier: /^[a-z](?:[a-z0-9]|-[a-z0-9])*$/,
  /** metav1.Condition reason. */
  conditionReason: /^[A-Za-z](?:[A-Za-z0-9_,:]*[A-Za-z0-9_])?$/,
  /** metav1.Condition type: an optional DNS subdomain prefix, then a qualified name. */
  conditionType: /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/,
} as const;
