// The RDS Query protocol as the proxy sees it: form-encoded `Action=...` requests and XML answers. Pure string
// work, so the rewriting rules are unit-tested without a server.

export type QueryParams = Record<string, string>;

export function parseQuery(body: string): QueryParams {
  return Object.fromEntries(new URLSearchParams(body));
}

export function encodeQuery(params: QueryParams): string {
  return new URLSearchParams(params).toString();
}

/** RDS requests carry `Version=2014-10-31`; anything else (CloudWatch, ...) passes the proxy untouched. */
export function isRdsCall(params: QueryParams): boolean {
  return params.Version === '2014-10-31' && typeof params.Action === 'string';
}

/** Values of a Query list parameter such as `Filters.Filter.1.Values.Value.N`. */
function listValues(params: QueryParams, prefix: string): string[] {
  return Object.entries(params)
    .filter(([k]) => k.startsWith(prefix))
    .sort(([a], [b]) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map(([, v]) => v);
}

/** Instance identifiers a DescribeDBInstances asks for: the `db-instance-id` filter or DBInstanceIdentifier;
 * undefined when it lists every instance. */
export function describedInstanceIds(params: QueryParams): string[] | undefined {
  if (params.DBInstanceIdentifier) return [params.DBInstanceIdentifier.toLowerCase()];
  for (let i = 1; params[`Filters.Filter.${i}.Name`] !== undefined; i++) {
    if (params[`Filters.Filter.${i}.Name`] === 'db-instance-id') {
      return listValues(params, `Filters.Filter.${i}.Values.Value.`).map((v) => v.toLowerCase());
    }
  }
  return undefined;
}

/** Every identifier a call names, for the journal: instances, snapshots, parameter groups, ARNs' last part. */
export function identifiersOf(params: QueryParams): string[] {
  const out: string[] = [];
  for (const key of ['DBInstanceIdentifier', 'SourceDBInstanceIdentifier', 'FinalDBSnapshotIdentifier', 'DBSnapshotIdentifier', 'DBParameterGroupName']) {
    if (params[key]) out.push(params[key]);
  }
  if (params.ResourceName) out.push(params.ResourceName.split(':').pop()!);
  for (const id of describedInstanceIds(params) ?? []) if (!out.includes(id)) out.push(id);
  return out;
}

/** Tags sent with a create, as a record. */
export function tagsOf(params: QueryParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let i = 1; params[`Tags.Tag.${i}.Key`] !== undefined; i++) tags[params[`Tags.Tag.${i}.Key`]!] = params[`Tags.Tag.${i}.Value`] ?? '';
  return tags;
}

/** The operator's process, from the SDK's user agent: `AWS_SDK_UA_APP_ID=<name>` adds `app/<name>`. */
export function processOf(userAgent: string | undefined): string | undefined {
  return userAgent === undefined ? undefined : /(?:^|\s)app\/(\S+)/.exec(userAgent)?.[1];
}

export function errorXml(code: string, message: string, requestId: string): string {
  const type = code === 'InternalFailure' || code === 'ServiceUnavailable' ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const INSTANCE = /<DBInstance>[\s\S]*?<\/DBInstance>/g;

export function instanceIdOf(fragment: string): string | undefined {
  return /<DBInstanceIdentifier>([^<]*)<\/DBInstanceIdentifier>/.exec(fragment)?.[1]?.toLowerCase();
}

/** Rewrites every `<DBInstance>` element of an answer (describe, create, modify, delete all carry them). */
export function mapInstances(xml: string, rewrite: (fragment: string, id: string) => string): string {
  return xml.replace(INSTANCE, (fragment) => {
    const id = instanceIdOf(fragment);
    return id === undefined ? fragment : rewrite(fragment, id);
  });
}

export function instanceFragments(xml: string): string[] {
  return xml.match(INSTANCE) ?? [];
}

export function withStatus(fragment: string, status: string): string {
  return fragment.replace(/<DBInstanceStatus>[^<]*<\/DBInstanceStatus>/, `<DBInstanceStatus>${status}</DBInstanceStatus>`);
}

/** RDS reports no endpoint until the instance has been created. */
export function withoutEndpoint(fragment: string): string {
  return fragment.replace(/<Endpoint>[\s\S]*?<\/Endpoint>/, '');
}

/** Query parameters of ModifyDBInstance that RDS reports under PendingModifiedValues until they are applied. */
const PENDING_FIELDS = [
  'DBInstanceClass',
  'AllocatedStorage',
  'StorageType',
  'Iops',
  'EngineVersion',
  'MultiAZ',
  'BackupRetentionPeriod',
  'DBSubnetGroupName',
] as const;

export function pendingValuesOf(modify: QueryParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of PENDING_FIELDS) if (modify[field] !== undefined) out[field] = modify[field];
  return out;
}

export function withPendingValues(fragment: string, pending: Record<string, string>): string {
  const inner = Object.entries(pending)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  const element = `<PendingModifiedValues>${inner}</PendingModifiedValues>`;
  const existing = /<PendingModifiedValues\s*\/>|<PendingModifiedValues>[\s\S]*?<\/PendingModifiedValues>/;
  if (existing.test(fragment)) return fragment.replace(existing, element);
  return fragment.replace(/<\/DBInstance>$/, `${element}</DBInstance>`);
}

/** Adds instances the emulator no longer holds (RDS still lists an instance while it is deleting). */
export function withExtraInstances(describeXml: string, fragments: readonly string[]): string {
  if (fragments.length === 0) return describeXml;
  const joined = fragments.join('');
  if (/<DBInstances\s*\/>/.test(describeXml)) return describeXml.replace(/<DBInstances\s*\/>/, `<DBInstances>${joined}</DBInstances>`);
  return describeXml.replace('</DBInstances>', `${joined}</DBInstances>`);
}

/** A DescribeDBInstances answer built from fragments (for an identifier the emulator answers 404 for). */
export function describeInstancesXml(fragments: readonly string[], requestId: string): string {
  return `<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBInstancesResult><DBInstances>${fragments.join('')}</DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeDBInstancesResponse>`;
}

/** The answer to ModifyDBInstance while the proxy holds the change back. */
export function modifyInstanceXml(fragment: string, requestId: string): string {
  return `<ModifyDBInstanceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><ModifyDBInstanceResult>${fragment}</ModifyDBInstanceResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></ModifyDBInstanceResponse>`;
}

const SNAPSHOT = /<DBSnapshot>[\s\S]*?<\/DBSnapshot>/g;

export function mapSnapshots(xml: string, rewrite: (fragment: string, id: string) => string): string {
  return xml.replace(SNAPSHOT, (fragment) => {
    const id = /<DBSnapshotIdentifier>([^<]*)<\/DBSnapshotIdentifier>/.exec(fragment)?.[1];
    return id === undefined ? fragment : rewrite(fragment, id);
  });
}

export function withSnapshotStatus(fragment: string, status: string): string {
  return fragment.replace(/<Status>[^<]*<\/Status>/, `<Status>${status}</Status>`);
}
