import type { z } from 'zod';
import { topologySchema, type Topology, type TopologyInput } from './schema.js';

/** topology.json could not be used: not JSON, or not contract version 1. `issues` lists each defect by path. */
export class TopologyError extends Error {
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(issues.length > 0 ? `${message}: ${issues.join('; ')}` : message, options);
    this.name = 'TopologyError';
  }
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

/** Parses topology.json text, or validates an object already parsed. Throws TopologyError. */
export function parseTopology(input: string | unknown): Topology {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      // A kubelet swap is atomic, but a hand-written or truncated file is not: report it, do not guess.
      throw new TopologyError('topology is not valid JSON', [(err as Error).message], { cause: err });
    }
  }
  const result = topologySchema.safeParse(value);
  if (!result.success) throw new TopologyError('topology does not match contract version 1', describeIssues(result.error));
  return result.data;
}

/**
 * Validates and renders topology.json the way the operator publishes it: defaults filled in, keys in schema
 * order, so that equal content always gives equal text (no ConfigMap churn).
 */
export function formatTopology(topology: TopologyInput): string {
  return `${JSON.stringify(parseTopology(topology), null, 2)}\n`;
}
