// iam-policy.json grants exactly the RDS and CloudWatch actions the operator's code calls: a new SDK command
// without its action would fail in production with AccessDenied, and an action the code never calls is a
// privilege nobody needs. (Pure file scanning; it lives with the other shipping checks.)
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actionsUsedIn } from './sdk-commands.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

function policyActions(): string[] {
  const policy = JSON.parse(readFileSync(join(ROOT, 'iam-policy.json'), 'utf8')) as { Version: string; Statement: Statement[] };
  expect(policy.Version).toBe('2012-10-17');
  return policy.Statement.flatMap((s) => {
    expect(s.Effect).toBe('Allow');
    return Array.isArray(s.Action) ? s.Action : [s.Action];
  });
}

describe('iam-policy.json', () => {
  const uses = actionsUsedIn(ROOT, 'operator/src');
  const used = [...new Set(uses.map((u) => u.action))].sort();
  const granted = policyActions();

  it('finds the SDK commands the operator sends', () => {
    expect(used).toContain('rds:DescribeDBInstances');
    expect(used).toContain('rds:CreateDBInstance');
  });

  it('grants every action the code calls', () => {
    const missing = used.filter((a) => !granted.includes(a));
    expect(missing, `add to iam-policy.json (used in ${uses.filter((u) => missing.includes(u.action)).map((u) => u.file).join(', ')})`).toEqual([]);
  });

  it('grants nothing the code does not call, without wildcards or duplicates', () => {
    expect(granted.filter((a) => !used.includes(a)), 'remove from iam-policy.json').toEqual([]);
    expect(granted.filter((a) => a.includes('*'))).toEqual([]);
    expect(new Set(granted).size).toBe(granted.length);
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
      expect(actionsUsedIn(root, 'src').map((u) => u.action).sort()).toEqual([
        'cloudwatch:GetMetricData',
        'rds:DeleteDBInstance',
        'rds:DescribeDBInstances',
        'rds:DescribeDBSnapshots',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
