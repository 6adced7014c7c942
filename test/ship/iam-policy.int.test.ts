// iam-policy.json grants exactly the RDS and CloudWatch actions the operator's code calls, plus the ones AWS
// authorizes on its behalf during those calls (dependent actions): a new SDK command without its action would fail in
// production with AccessDenied, and an action the code never calls is a privilege nobody needs. Every mutation is
// scoped by the operator's ownership tag: on the resource for a change, on the request for a create. (Pure file
// scanning; it lives with the other shipping checks.)
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MANAGED_BY, TAG_MANAGED_BY, TAG_OWNER_NAME, TAG_OWNER_NAMESPACE, TAG_OWNER_UID } from '../../operator/src/naming/index.js';
import { actionsUsedIn } from './sdk-commands.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Conditions = Record<string, Record<string, string | string[]>>;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Conditions;
}

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

function readPolicy(): Statement[] {
  const policy = JSON.parse(readFileSync(join(ROOT, 'iam-policy.json'), 'utf8')) as { Version: string; Statement: Statement[] };
  expect(policy.Version).toBe('2012-10-17');
  for (const s of policy.Statement) expect(s.Effect, s.Sid).toBe('Allow');
  return policy.Statement;
}

/** Actions AWS authorizes against the operator's identity inside the calls it makes, with why. */
const DEPENDENT_ACTIONS: Record<string, string> = {
  'rds:CreateDBSnapshot': 'DeleteDBInstance with FinalDBSnapshotIdentifier takes the final snapshot',
  'iam:PassRole': 'CreateDBInstance/ModifyDBInstance with MonitoringRoleArn hand the role to RDS',
  'kms:CreateGrant': 'an instance encrypted with a customer managed key (spec.kmsKeyId) gives RDS a grant on it',
  'kms:DescribeKey': 'RDS checks the customer managed key on create',
};

const READ_ONLY = /^(rds:(Describe|List)|cloudwatch:GetMetricData$)/;
const CREATES = ['rds:CreateDBInstance', 'rds:CreateDBInstanceReadReplica', 'rds:CreateDBParameterGroup'];

/** Grants of a mutating action that are not scoped by tags, each because the resource is not the operator's to tag:
 * the subnet group an instance is moved into, the final snapshot, which does not exist (and has no tags) when its
 * creation is authorized. Anything else unconditioned fails the test. */
const UNTAGGED_RESOURCES: Record<string, string[]> = {
  'rds:ModifyDBInstance': ['arn:aws:rds:*:*:subgrp:*'],
  'rds:CreateDBSnapshot': ['arn:aws:rds:*:*:snapshot:*-final-*'],
};

const ownedResource: Conditions = { StringEquals: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: MANAGED_BY } };
const ownedRequest: Conditions = {
  StringEquals: { [`aws:RequestTag/${TAG_MANAGED_BY}`]: MANAGED_BY },
  Null: Object.fromEntries([TAG_OWNER_NAMESPACE, TAG_OWNER_NAME, TAG_OWNER_UID].map((k) => [`aws:RequestTag/${k}`, 'false'])),
};

/** Whether `condition` requires at least everything `required` does (each operator, key and value). */
function requires(condition: Conditions | undefined, required: Conditions): boolean {
  return Object.entries(required).every(([operator, keys]) =>
    Object.entries(keys).every(([key, value]) => JSON.stringify(condition?.[operator]?.[key]) === JSON.stringify(value)),
  );
}

function grantsOf(statements: Statement[], action: string): Statement[] {
  return statements.filter((s) => list(s.Action).includes(action));
}

describe('iam-policy.json', () => {
  const uses = actionsUsedIn(ROOT, 'operator/src');
  const used = [...new Set(uses.map((u) => u.action))].sort();
  const statements = readPolicy();
  const granted = statements.flatMap((s) => list(s.Action));
  const distinct = [...new Set(granted)];

  it('finds the SDK commands the operator sends', () => {
    expect(used).toContain('rds:DescribeDBInstances');
    expect(used).toContain('rds:CreateDBInstance');
  });

  it('grants every action the code calls', () => {
    const missing = used.filter((a) => !granted.includes(a));
    expect(
      missing,
      `add to iam-policy.json (used in ${uses
        .filter((u) => missing.includes(u.action))
        .map((u) => u.file)
        .join(', ')})`,
    ).toEqual([]);
  });

  it('grants nothing the code does not call or cause, without wildcard actions', () => {
    expect(
      distinct.filter((a) => !used.includes(a) && !(a in DEPENDENT_ACTIONS)),
      'remove from iam-policy.json',
    ).toEqual([]);
    expect(
      Object.keys(DEPENDENT_ACTIONS).filter((a) => !granted.includes(a)),
      'dependent actions missing',
    ).toEqual([]);
    expect(granted.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('leaves only reads unconditioned on every resource', () => {
    const open = statements.filter((s) => s.Condition === undefined && list(s.Resource).includes('*'));
    expect(open.flatMap((s) => list(s.Action)).filter((a) => !READ_ONLY.test(a))).toEqual([]);
  });

  it('scopes every create by the ownership tags it sends', () => {
    for (const action of CREATES) {
      const grants = grantsOf(statements, action);
      expect(grants.length, action).toBeGreaterThan(0);
      for (const s of grants) expect(requires(s.Condition, ownedRequest), `${action} in ${s.Sid ?? '?'}`).toBe(true);
    }
  });

  it('scopes every other mutating call by the ownership tag of the resource it changes', () => {
    const mutating = [...used, 'rds:CreateDBSnapshot'].filter((a) => a.startsWith('rds:') && !READ_ONLY.test(a) && !CREATES.includes(a));
    expect(mutating).toEqual(expect.arrayContaining(['rds:ModifyDBInstance', 'rds:DeleteDBInstance', 'rds:AddTagsToResource', 'rds:ModifyDBParameterGroup']));
    for (const action of mutating) {
      const grants = grantsOf(statements, action);
      expect(
        grants.some((s) => requires(s.Condition, ownedResource)),
        `${action}: no grant scoped by the resource tag`,
      ).toBe(true);
      for (const s of grants) {
        const scoped = requires(s.Condition, ownedResource) || (action === 'rds:AddTagsToResource' && requires(s.Condition, ownedRequest));
        const exempt = list(s.Resource).every((r) => (UNTAGGED_RESOURCES[action] ?? []).includes(r));
        expect(scoped || exempt, `${action} in ${s.Sid ?? '?'} on ${list(s.Resource).join(', ')}`).toBe(true);
      }
    }
  });

  it("tags on create only resources that carry no one else's managed-by tag", () => {
    const tagging = grantsOf(statements, 'rds:AddTagsToResource').filter((s) => !requires(s.Condition, ownedResource));
    expect(tagging.length).toBeGreaterThan(0);
    for (const s of tagging) {
      expect(requires(s.Condition, ownedRequest), s.Sid).toBe(true);
      expect(requires(s.Condition, { Null: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: 'true' } }), s.Sid).toBe(true);
    }
  });

  it('passes only the monitoring role, and only to RDS Enhanced Monitoring', () => {
    const grants = grantsOf(statements, 'iam:PassRole');
    expect(grants.length).toBe(1);
    expect(grants[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'monitoring.rds.amazonaws.com' } });
  });

  it('uses a customer managed key only through RDS, and grants only for AWS resources', () => {
    const viaRds = { StringLike: { 'kms:ViaService': 'rds.*.amazonaws.com' } };
    const createGrant = grantsOf(statements, 'kms:CreateGrant');
    const describeKey = grantsOf(statements, 'kms:DescribeKey');
    expect(createGrant.length).toBeGreaterThan(0);
    expect(describeKey.length).toBeGreaterThan(0);
    for (const s of createGrant) expect(requires(s.Condition, { ...viaRds, Bool: { 'kms:GrantIsForAWSResource': 'true' } }), s.Sid).toBe(true);
    for (const s of describeKey) expect(requires(s.Condition, viaRds), s.Sid).toBe(true);
  });
});

describe('the SDK command scan', () => {
  it('reads named, renamed and namespace imports, paginators, and skips tests, test doubles and type imports', () => {
    const root = mkdtempSync(join(tmpdir(), 'sdk-scan-'));
    try {
      mkdirSync(join(root, 'src', 'testing'), { recursive: true });
      writeFileSync(
        join(root, 'src', 'a.ts'),
        [
          "import { DescribeDBInstancesCommand, DeleteDBInstanceCommand as Del, paginateDescribeDBSnapshots } from '@aws-sdk/client-rds';",
          "import * as cw from '@aws-sdk/client-cloudwatch';",
          "import { type CreateDBInstanceCommand } from '@aws-sdk/client-rds';",
          "import { SomethingCommand } from './local.js';",
          'client.send(new DescribeDBInstancesCommand({}));',
          'client.send(new Del({}));',
          'client.send(new cw.GetMetricDataCommand({}));',
          'paginateDescribeDBSnapshots({ client }, {});',
          'new SomethingCommand();',
        ].join('\n'),
      );
      const testOnly = "import { RebootDBInstanceCommand } from '@aws-sdk/client-rds';\nnew RebootDBInstanceCommand({});\n";
      writeFileSync(join(root, 'src', 'a.test.ts'), testOnly);
      writeFileSync(join(root, 'src', 'testing', 'fake.ts'), testOnly);
      expect(
        actionsUsedIn(root, 'src')
          .map((u) => u.action)
          .sort(),
      ).toEqual(['cloudwatch:GetMetricData', 'rds:DeleteDBInstance', 'rds:DescribeDBInstances', 'rds:DescribeDBSnapshots']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
