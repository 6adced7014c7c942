// CPU time of the PostgreSQL servers behind a benchmark, read from /proc: every process of each node's postmaster
// (backends, WAL senders and receivers, the startup process replaying WAL). With the client's own CPU it says
// where a variant's cost goes on a machine whose cores the client and the servers share.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PostgresCluster } from '../../test/env/contract.js';

/** Clock ticks per second of /proc's utime and stime on Linux (USER_HZ). */
const TICKS_PER_SECOND = 100;

interface ProcessCpu {
  parent: number;
  micros: number;
}

function processCpu(pid: string): ProcessCpu | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state, ppid, ..., utime (14th field), stime (15th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { parent: Number(fields[1]), micros: (ticks * 1_000_000) / TICKS_PER_SECOND };
  } catch {
    // The process ended between the listing and the read.
    return undefined;
  }
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** CPU microseconds used so far by the cluster's servers and every process they started, or undefined where /proc
 * is not there to read. */
export function serverCpuReader(cluster: PostgresCluster): () => number | undefined {
  const nodes = [cluster.primary, ...cluster.replicas];
  return () => {
    let postmasters: Set<number>;
    let pids: string[];
    try {
      postmasters = new Set(nodes.map((n) => postmasterPid(n.dataDir)));
      pids = readdirSync('/proc');
    } catch {
      return undefined;
    }
    let total = 0;
    for (const pid of pids) {
      if (!/^\d+$/.test(pid)) continue;
      const cpu = processCpu(pid);
      if (cpu !== undefined && (postmasters.has(Number(pid)) || postmasters.has(cpu.parent))) total += cpu.micros;
    }
    return total;
  };
}
