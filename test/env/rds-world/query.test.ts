import { describe, expect, it } from 'vitest';
import {
  describedInstanceIds,
  encodeQuery,
  identifiersOf,
  isRdsCall,
  mapInstances,
  parseQuery,
  pendingValuesOf,
  processOf,
  withExtraInstances,
  withPendingValues,
  withStatus,
  withoutEndpoint,
} from './query.js';

const instance = (id: string) =>
  `<DBInstance><DBInstanceIdentifier>${id}</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus><Endpoint><Address>${id}.rds</Address><Port>5432</Port></Endpoint></DBInstance>`;
const describe_ = (...ids: string[]) =>
  `<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances>${ids.map(instance).join('')}</DBInstances></DescribeDBInstancesResult></DescribeDBInstancesResponse>`;

describe('query parsing', () => {
  it('reads the filtered identifiers of a DescribeDBInstances, in order', () => {
    const body = encodeQuery({
      Action: 'DescribeDBInstances',
      Version: '2014-10-31',
      'Filters.Filter.1.Name': 'db-instance-id',
      'Filters.Filter.1.Values.Value.2': 'B',
      'Filters.Filter.1.Values.Value.1': 'a',
    });
    const params = parseQuery(body);
    expect(isRdsCall(params)).toBe(true);
    expect(describedInstanceIds(params)).toEqual(['a', 'b']);
    expect(describedInstanceIds({ Action: 'DescribeDBInstances' })).toBeUndefined();
  });

  it('names every identifier of a call for the journal, never a password', () => {
    const params = { Action: 'DeleteDBInstance', DBInstanceIdentifier: 'db-0', FinalDBSnapshotIdentifier: 'db-final', MasterUserPassword: 'secret' };
    expect(identifiersOf(params)).toEqual(['db-0', 'db-final']);
    expect(identifiersOf({ ResourceName: 'arn:aws:rds:us-east-1:123:db:db-1' })).toEqual(['db-1']);
  });

  it('recognises the process from the SDK app id in the user agent', () => {
    expect(processOf('aws-sdk-js/3.1 ua/2.1 os/linux lang/js md/nodejs#20 api/rds#3.1 m/E app/operator-2')).toBe('operator-2');
    expect(processOf('aws-sdk-js/3.1 api/rds#3.1')).toBeUndefined();
    expect(processOf(undefined)).toBeUndefined();
  });

  it('keeps only the fields RDS reports as pending', () => {
    expect(pendingValuesOf({ DBInstanceClass: 'db.r6g.large', ApplyImmediately: 'true', MasterUserPassword: 'x' })).toEqual({
      DBInstanceClass: 'db.r6g.large',
    });
  });
});

describe('answer rewriting', () => {
  it('rewrites the status of each instance and drops the endpoint while creating', () => {
    const out = mapInstances(describe_('a', 'b'), (f, id) => (id === 'a' ? withoutEndpoint(withStatus(f, 'creating')) : f));
    expect(out).toContain('<DBInstanceIdentifier>a</DBInstanceIdentifier><DBInstanceStatus>creating</DBInstanceStatus></DBInstance>');
    expect(out).toContain('<DBInstanceStatus>available</DBInstanceStatus><Endpoint><Address>b.rds</Address>');
  });

  it('adds or replaces PendingModifiedValues', () => {
    const added = withPendingValues(instance('a'), { DBInstanceClass: 'db.r6g.large' });
    expect(added).toMatch(/<PendingModifiedValues><DBInstanceClass>db.r6g.large<\/DBInstanceClass><\/PendingModifiedValues><\/DBInstance>$/);
    const replaced = withPendingValues(instance('a').replace('</DBInstance>', '<PendingModifiedValues/></DBInstance>'), { AllocatedStorage: '50' });
    expect(replaced.match(/PendingModifiedValues/g)).toHaveLength(2);
    expect(replaced).toContain('<AllocatedStorage>50</AllocatedStorage>');
  });

  it('lists deleting instances the emulator has already dropped', () => {
    expect(withExtraInstances(describe_('a'), [instance('gone')])).toContain('<DBInstanceIdentifier>gone</DBInstanceIdentifier>');
    expect(withExtraInstances('<R><DBInstances/></R>', [instance('gone')])).toBe(`<R><DBInstances>${instance('gone')}</DBInstances></R>`);
  });
});
