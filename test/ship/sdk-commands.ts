// Derives the AWS actions the operator can call from its source: every `new XxxCommand(` (and `paginateXxx(`)
// whose name is imported from @aws-sdk/client-rds or @aws-sdk/client-cloudwatch. Test code and test doubles are
// not shipped, so they are not scanned.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SERVICES: Record<string, string> = {
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
};

export interface ActionUse {
  action: string;
  file: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'testing' && entry.name !== '__tests__') out.push(...sourceFiles(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

/** Names imported from each AWS SDK package in one file: `import { A, B as C, type D } from '...'` and
 * `import * as ns from '...'` (then `ns.` is the prefix). */
function importsOf(text: string): { named: Map<string, string>; namespaces: Map<string, string> } {
  const named = new Map<string, string>();
  const namespaces = new Map<string, string>();
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+['"]([^'"]+)['"]/g)) {
    const service = SERVICES[m[3]!];
    if (!service || m[1]) continue;
    for (const part of m[2]!.split(',')) {
      const spec = part.trim();
      if (spec === '' || spec.startsWith('type ')) continue;
      const [imported, local] = spec.split(/\s+as\s+/).map((s) => s.trim());
      named.set(local ?? imported!, `${service}:${imported}`);
    }
  }
  for (const m of text.matchAll(/import\s+\*\s+as\s+(\w+)\s+from\s+['"]([^'"]+)['"]/g)) {
    const service = SERVICES[m[2]!];
    if (service) namespaces.set(m[1]!, service);
  }
  return { named, namespaces };
}

export function actionsUsedIn(root: string, dir: string): ActionUse[] {
  const uses: ActionUse[] = [];
  for (const file of sourceFiles(join(root, dir))) {
    const text = readFileSync(file, 'utf8');
    const { named, namespaces } = importsOf(text);
    const add = (qualified: string, pattern: RegExp) => {
      const [service, name] = qualified.split(':') as [string, string];
      const action = pattern.exec(name)?.[1];
      if (action) uses.push({ action: `${service}:${action}`, file: relative(root, file) });
    };
    for (const m of text.matchAll(/new\s+(?:(\w+)\.)?(\w+)\s*\(/g)) {
      const [, ns, cls] = m;
      if (ns !== undefined) {
        const service = namespaces.get(ns);
        if (service) add(`${service}:${cls!}`, /^(\w+)Command$/);
      } else if (named.has(cls!)) {
        add(named.get(cls!)!, /^(\w+)Command$/);
      }
    }
    for (const m of text.matchAll(/\b(?:(\w+)\.)?(paginate\w+)\s*\(/g)) {
      const [, ns, fn] = m;
      const qualified = ns !== undefined ? (namespaces.has(ns) ? `${namespaces.get(ns)!}:${fn!}` : undefined) : named.get(fn!);
      if (qualified) add(qualified, /^paginate(\w+)$/);
    }
  }
  return uses;
}
