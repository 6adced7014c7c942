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

/** A core whose primary answers as each test scripts it; reads record the position they were asked to honour. */
function fakeCore() {
  const minLsns: Array<Lsn | undefined> = [];
  const onPrimary: string[] = [];
  const state = {
    writeOutcome: async (): Promise<{ result: pg.QueryResult; lsn: Lsn | undefined }> => ({ result, lsn: 100n }),
    position: async (): Promise<Lsn> => 500n,
    commit: async (): Promise<pg.QueryResult> => ({ ...result, command: 'COMMIT' }) as pg.QueryResult,
  };
  const core = {
    topology: { routing: { readYourWrites: 'lsn', maxReplicaLagSeconds: 1 } },
    assertOpen: () => undefined,
    options: { positionKey: KEY },
    writes: {
      writeForSession: () => state.writeOutcome(),
      positionAfterNow: () => state.position(),
      insertLsn: async () => 700n,
      connectPrimary: async () => ({ query: (config: unknown) => (String(config).toLowerCase() === 'commit' ? state.commit() : Promise.resolve(result)) }),
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
