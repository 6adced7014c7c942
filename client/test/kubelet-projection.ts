// Writes a ConfigMap key the way the kubelet projects it into a pod: files live in a timestamped folder,
// `..data` points at the current one, `topology.json` points through `..data`, and an update swaps `..data`
// with one rename (kubernetes/pkg/volume/util/atomic_writer.go).
import { mkdir, mkdtemp, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class KubeletProjection {
  #generation = 0;

  private constructor(readonly dir: string) {}

  static async create(key: string, content: string): Promise<KubeletProjection> {
    const projection = new KubeletProjection(await mkdtemp(join(tmpdir(), 'rsdb-configmap-')));
    await projection.update(key, content);
    await symlink(join('..data', key), join(projection.dir, key));
    return projection;
  }

  file(key: string): string {
    return join(this.dir, key);
  }

  async update(key: string, content: string): Promise<void> {
    const folder = `..2026_11_26_16_00_00.${++this.#generation}`;
    await mkdir(join(this.dir, folder));
    await writeFile(join(this.dir, folder, key), content);
    const previous = await readlink(join(this.dir, '..data')).catch(() => undefined);
    await symlink(folder, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (previous) await rm(join(this.dir, previous), { recursive: true, force: true });
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
