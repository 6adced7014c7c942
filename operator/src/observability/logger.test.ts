import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { createLogger, reconcileLogger } from './logger.js';

const PASSWORD = 'Sup3r-S3cret-Passw0rd-9f2c';
const PASSWORD_B64 = Buffer.from(PASSWORD).toString('base64');

function capture(level = 'trace') {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with a level name and an ISO time', () => {
    const { logger, records } = capture('info');
    logger.info({ replicas: 2 }, 'scaled');
    logger.debug('not written at info');
    expect(records()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'scaled',
        replicas: 2,
        component: 'replicasetdb-operator',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
  });

  it('never writes a password, whatever shape carries it', () => {
    const { logger, lines } = capture();
    const createInput = new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'prod-servio',
      DBInstanceClass: 'db.r6g.large',
      Engine: 'postgres',
      MasterUsername: 'servio',
      MasterUserPassword: PASSWORD,
    }).input;

    logger.info({ password: PASSWORD }, 'a field of its own');
    logger.info({ masterUserPassword: PASSWORD, newMasterUserPassword: PASSWORD }, 'camel case');
    logger.info({ command: 'CreateDBInstance', input: createInput }, 'an AWS command input');
    logger.info({ step: { kind: 'create', params: { input: createInput } } }, 'nested in a plan step');
    logger.info({ instances: [{ id: 'r1', MasterUserPassword: PASSWORD }] }, 'in a list');
    logger.info({ secret: { apiVersion: 'v1', kind: 'Secret', data: { username: 'c2VydmlvCg==', password: PASSWORD_B64 } } }, 'a Secret object');
    logger.info({ secretData: { username: 'servio', password: PASSWORD } }, 'decoded Secret data');
    logger.info({ body: { stringData: { password: PASSWORD } } }, 'a Secret manifest with stringData');
    logger.info({ req: { headers: { authorization: `Bearer ${PASSWORD}`, cookie: PASSWORD } } }, 'HTTP headers');
    logger.info({ request: { headers: { Authorization: `AWS4-HMAC-SHA256 Credential=${PASSWORD}` } } }, 'signed AWS request');
    logger.info({ credentials: { accessKeyId: 'AKIA', secretAccessKey: PASSWORD, sessionToken: PASSWORD } }, 'AWS credentials');
    logger.error({ err: Object.assign(new Error('create failed'), { password: PASSWORD }) }, 'an error carrying it');
    logger.child({ password: PASSWORD }).info('child bindings');
    reconcileLogger(logger, { namespace: 'prod', name: 'servio' }).info({ a: { b: { c: { password: PASSWORD } } } }, 'four levels deep');

    expect(lines).toHaveLength(14);
    for (const line of lines) {
      expect(line).not.toContain(PASSWORD);
      expect(line).not.toContain(PASSWORD_B64);
    }
    // Redacted, not dropped: the reader sees that a value was there.
    expect(lines.filter((l) => l.includes('[REDACTED]'))).toHaveLength(14);
  });

  it('keeps what is not secret, so redaction does not blind the logs', () => {
    const { logger, records } = capture();
    logger.info(
      { configMap: { data: { DB_PRIMARY_HOST: 'prod-servio.abc.rds.amazonaws.com' } }, input: { MasterUsername: 'servio', DBInstanceClass: 'db.r6g.large' } },
      'kept',
    );
    expect(records()[0]).toMatchObject({
      configMap: { data: { DB_PRIMARY_HOST: 'prod-servio.abc.rds.amazonaws.com' } },
      input: { MasterUsername: 'servio', DBInstanceClass: 'db.r6g.large' },
    });
  });
});

describe('reconcileLogger', () => {
  it('puts the object key and one reconcile id on every line of a pass', () => {
    const { logger, records } = capture();
    const first = reconcileLogger(logger, { namespace: 'prod', name: 'servio' });
    first.info('observe');
    first.warn('wait');
    reconcileLogger(logger, { namespace: 'prod', name: 'servio' }).info('next pass');
    const [a, b, c] = records();
    expect(a).toMatchObject({ key: 'prod/servio', namespace: 'prod', name: 'servio', reconcileId: expect.any(String) });
    expect(b!.reconcileId).toBe(a!.reconcileId);
    expect(c!.reconcileId).not.toBe(a!.reconcileId);
  });

  it('uses a given reconcile id', () => {
    const { logger, records } = capture();
    reconcileLogger(logger, { namespace: 'ns', name: 'db' }, 'r-42').info('x');
    expect(records()[0]).toMatchObject({ reconcileId: 'r-42' });
  });
});
