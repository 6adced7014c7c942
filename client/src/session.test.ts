import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { RouterCore } from './core.js';
import type { ReadRequirement } from './eligibility.js';
import type { Lsn } from './lsn.js';
import { Session } from './session.js';

const KEY = 'k'.repeat(32);
const result = { rows: [], command: 'SELECT', rowCount: 0, oid: 0, fields: [] } as unknown as pg.QueryResult;

class ConnectionLost extends Error {
  readonly code = 'ECONNRESET';
}

/** A primary connection that keeps the transaction status as the server reports it: BEGIN opens a block, COMMIT
 * ends it, anything else sent outside one commits on its own. */
function primaryConnection(state: { commit: () => Promise<pg.QueryResult>; statement: () => Promise<pg.QueryResult> }) {
  let status: 'I' | 'T' = 'I';
  return {
    release: () => undefined,
    getTransactionStatus: () => status,
    query: async (config: unknown) => {
      const text = String(config).toLowerCase();
      if (text === 'begin') {
        status = 'T';
        return { ...result, command: 'BEGIN' };
      }
      if (text === 'commit') {
        status = 'I';
        return state.commit();
      }
      return state.statement();
    },
  };
}

/** A core whose primary answers as each test scripts it; reads record the position they were asked to honour. */
function fakeCore() {
  const minLsns: Array<Lsn | undefined> = [];
  const onPrimary: string[] = [];
  const state = {
    writeOutcome: async (): Promise<{ result: pg.QueryResult; lsn: Lsn | undefined }> => ({ result, lsn: 100n }),
    position: async (): Promise<Lsn> => 500n,
    commit: async (): Promise<pg.QueryResult> => ({ ...result, command: 'COMMIT' }) as pg.QueryResult,
    statement: async (): Promise<pg.QueryResult> => result,
    /** Insert positions read on a connection handed out by writerPool(). */
    positionsRead: 0,
  };
  const core = {
    topology: { routing: { readYourWrites: 'lsn', maxReplicaLagSeconds: 1 } },
    assertOpen: () => undefined,
    options: { positionKey: KEY },
    writes: {
      writeForSession: () => state.writeOutcome(),
      positionAfterNow: () => state.position(),
      insertLsn: async () => {
        state.positionsRead++;
        return 700n;
      },
      connectPrimary: async () => primaryConnection(state),
    },
    reads: {
      read: async (_text: unknown, _values: unknown, need: ReadRequirement) => {
        minLsns.push(need.minLsn);
        return result;
      },
      readOnPrimary: async (text: unknown, _values: unknown, reason: string) => {
        onPrimary.push(`${String(text)} (${reason})`);
        return result;
      },
    },
  };
  return { core: core as unknown as RouterCore, state, minLsns, onPrimary };
}

describe('Session', () => {
  it('hands on a commit whose position was not learnt, so the next request asks for one before reading', async () => {
    const { core, state, minLsns } = fakeCore();
    const first = new Session(core);
    await first.write('UPDATE t SET a = 1');
    state.writeOutcome = async () => ({ result, lsn: undefined });
    await first.write('UPDATE t SET a = 2');
    const carried = first.position;
    expect(carried).toBeDefined();

    const next = new Session(core, { position: carried });
    await next.read('SELECT 1');
    // Not 100: the second write committed somewhere past it.
    expect(minLsns).toEqual([500n]);
  });

  it('keeps a commit unknown when a write fails while a read is learning the position of an earlier one', async () => {
    const { core, state, minLsns } = fakeCore();
    const session = new Session(core);
    state.writeOutcome = async () => {
      throw new ConnectionLost('lost before the answer');
    };
    await expect(session.write('UPDATE t SET a = 1')).rejects.toThrow('lost before the answer');
    let answer!: (lsn: Lsn) => void;
    state.position = () => new Promise<Lsn>((resolve) => (answer = resolve));
    const read = session.read('SELECT 1');
    // A second write fails the same way after the position query has started.
    await expect(session.write('UPDATE t SET a = 2')).rejects.toThrow('lost before the answer');
    answer(300n);
    await read;
    state.position = async () => 900n;
    await session.read('SELECT 2');
    expect(minLsns).toEqual([300n, 900n]);
  });

  it('counts a drizzle COMMIT lost to a connection error as a commit of unknown position', async () => {
    const { core, state, minLsns } = fakeCore();
    const session = new Session(core);
    await session.write('UPDATE t SET a = 1');
    state.commit = async () => {
      throw new ConnectionLost('lost during COMMIT');
    };
    const client = await session.writerPool().connect();
    await client.query('BEGIN');
    await expect(client.query('commit')).rejects.toThrow('lost during COMMIT');
    await session.read('SELECT 1');
    expect(minLsns).toEqual([500n]);
  });

  it('tracks a statement that commits on its own on a connection the writer pool hands out (Kysely, a checked-out client)', async () => {
    const { core, state, minLsns } = fakeCore();
    const session = new Session(core);
    const client = await session.writerPool().connect();
    await client.query('INSERT INTO t VALUES (1)');
    client.release();
    await session.read('SELECT * FROM t');
    expect(state.positionsRead).toBe(1);
    expect(minLsns).toEqual([700n]);
  });

  it('reads one position for a transaction on such a connection, after its COMMIT', async () => {
    const { core, state, minLsns } = fakeCore();
    const session = new Session(core);
    const client = await session.writerPool().connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO t VALUES (1)');
    await client.query('UPDATE t SET a = 2');
    expect(state.positionsRead).toBe(0);
    await client.query('COMMIT');
    expect(state.positionsRead).toBe(1);
    await session.read('SELECT * FROM t');
    expect(minLsns).toEqual([700n]);
  });

  it('counts a statement sent outside a block and lost to a connection error as a commit of unknown position', async () => {
    const { core, state, minLsns } = fakeCore();
    const session = new Session(core);
    state.statement = async () => {
      throw new ConnectionLost('lost during INSERT');
    };
    const client = await session.writerPool().connect();
    await expect(client.query('INSERT INTO t VALUES (1)')).rejects.toThrow('lost during INSERT');
    await session.read('SELECT 1');
    expect(minLsns).toEqual([500n]);
  });

  it('reads from the primary when the position of a commit it lost cannot be asked, and asks again next time', async () => {
    const { core, state, minLsns, onPrimary } = fakeCore();
    const session = new Session(core);
    state.writeOutcome = async () => {
      throw new ConnectionLost('lost before the answer');
    };
    await expect(session.write('UPDATE t SET a = 1')).rejects.toThrow('lost before the answer');
    state.position = async () => {
      throw new ConnectionLost('position query lost');
    };
    // The primary has every commit there is: it serves the read as any read no replica is known to cover.
    await expect(session.read('SELECT 1')).resolves.toBe(result);
    expect(onPrimary).toEqual(['SELECT 1 (read-your-writes)']);
    expect(minLsns).toEqual([]);
    state.position = async () => 800n;
    await session.read('SELECT 2');
    expect(minLsns).toEqual([800n]);
  });
});
