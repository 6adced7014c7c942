// The API server's audit log (test/env/control-plane.ts records every write, metadata only): which user wrote what,
// and when the server received it. Two operator processes running as different ServiceAccounts are told apart here.
import { readFileSync } from 'node:fs';
import { testEnv } from '../env/helpers.js';

export interface AuditedWrite {
  verb: string;
  user: string;
  /** e.g. `leases rsdb-system/replicasetdb-operator`, `replicasetdbs/status ns/db`. */
  object: string;
  /** Epoch ms when the API server received the request (the log has microseconds). */
  receivedAt: number;
  code: number | undefined;
}

interface AuditEvent {
  verb: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  requestReceivedTimestamp: string;
  responseStatus?: { code?: number };
}

/** Every write the API server completed for `user`, received at or after `sinceMs`. */
export function auditedWrites(user: string, sinceMs: number): AuditedWrite[] {
  const lines = readFileSync(testEnv().kube.auditLogPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.user?.username === user && Date.parse(e.requestReceivedTimestamp) >= sinceMs)
    .map((e) => ({
      verb: e.verb,
      user,
      object: `${e.objectRef?.resource ?? '?'}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''} ${e.objectRef?.namespace ?? ''}/${e.objectRef?.name ?? ''}`,
      receivedAt: Date.parse(e.requestReceivedTimestamp),
      code: e.responseStatus?.code,
    }));
}
