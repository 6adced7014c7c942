import { z } from 'zod';
import { topologySchema } from './schema.js';

/** JSON Schema (draft 2020-12) of topology.json as written: what the operator may publish. */
export function buildTopologyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(topologySchema, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
}

export function renderTopologyJsonSchema(): string {
  return `${JSON.stringify(buildTopologyJsonSchema(), null, 2)}\n`;
}
