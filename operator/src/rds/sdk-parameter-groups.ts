// The parameter group half of the RdsPort on @aws-sdk/client-rds (SdkRdsPort adds the instances).
import {
  CreateDBParameterGroupCommand,
  DeleteDBParameterGroupCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  ListTagsForResourceCommand,
  ModifyDBParameterGroupCommand,
  ResetDBParameterGroupCommand,
  type Parameter,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { isRdsError } from './errors.js';
import type { CallOptions, CreateParameterGroupInput, ParameterGroup, ParameterGroupSummary } from './port.js';
import { chunks, sdkCall } from './sdk-call.js';
import { recordToTags, tagsToRecord } from './sdk-mapping.js';

/** ModifyDBParameterGroup and ResetDBParameterGroup take at most 20 parameters per request. */
export const MAX_PARAMETERS_PER_REQUEST = 20;

export class SdkParameterGroups {
  constructor(protected readonly client: RDSClient) {}

  protected call = sdkCall;

  async listTags(arn: string, options?: CallOptions): Promise<Record<string, string>> {
    const out = await this.call('ListTagsForResource', options, (sdk) => this.client.send(new ListTagsForResourceCommand({ ResourceName: arn }), sdk));
    return tagsToRecord(out.TagList);
  }

  async describeParameterGroup(name: string, options?: CallOptions): Promise<ParameterGroup | undefined> {
    let group;
    try {
      const out = await this.call('DescribeDBParameterGroups', options, (sdk) =>
        this.client.send(new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name }), sdk),
      );
      // RDS answers DBParameterGroupNotFound; some emulators answer an empty list. Both mean absent.
      group = out.DBParameterGroups?.find((g) => g.DBParameterGroupName?.toLowerCase() === name.toLowerCase());
    } catch (err) {
      if (isRdsError(err, 'not-found')) return undefined;
      throw err;
    }
    if (group === undefined) return undefined;
    const arn = group.DBParameterGroupArn ?? '';
    const [tags, parameters] = await Promise.all([this.listTags(arn, options), this.describeParameters(name, 'user', options)]);
    return {
      name: group.DBParameterGroupName ?? name,
      arn,
      family: group.DBParameterGroupFamily ?? '',
      tags,
      parameters: Object.fromEntries(parameters.flatMap((p) => (p.ParameterName ? [[p.ParameterName, p.ParameterValue ?? '']] : []))),
    };
  }

  async listParameterGroups(options?: CallOptions): Promise<ParameterGroupSummary[]> {
    const out: ParameterGroupSummary[] = [];
    let marker: string | undefined;
    do {
      const page = await this.call('DescribeDBParameterGroups', options, (sdk) =>
        this.client.send(new DescribeDBParameterGroupsCommand({ MaxRecords: 100, Marker: marker }), sdk),
      );
      for (const g of page.DBParameterGroups ?? []) {
        if (g.DBParameterGroupName === undefined) continue;
        out.push({ name: g.DBParameterGroupName, arn: g.DBParameterGroupArn ?? '', family: g.DBParameterGroupFamily ?? '' });
      }
      marker = page.Marker;
    } while (marker);
    return out;
  }

  private async describeParameters(groupName: string, source: 'user' | undefined, options: CallOptions | undefined): Promise<Parameter[]> {
    const all: Parameter[] = [];
    let marker: string | undefined;
    do {
      const page = await this.call('DescribeDBParameters', options, (sdk) =>
        this.client.send(new DescribeDBParametersCommand({ DBParameterGroupName: groupName, Source: source, MaxRecords: 100, Marker: marker }), sdk),
      );
      all.push(...(page.Parameters ?? []));
      marker = page.Marker;
    } while (marker);
    return all;
  }

  async createParameterGroup(input: CreateParameterGroupInput, options?: CallOptions): Promise<void> {
    await this.call('CreateDBParameterGroup', options, (sdk) =>
      this.client.send(
        new CreateDBParameterGroupCommand({
          DBParameterGroupName: input.name,
          DBParameterGroupFamily: input.family,
          Description: input.description,
          Tags: recordToTags(input.tags),
        }),
        sdk,
      ),
    );
  }

  /** `immediate` needs a dynamic parameter and `pending-reboot` works for both, so the apply type decides. The
   * lookup is one paged read of the group, made only when something is about to change. */
  private async applyMethods(
    groupName: string,
    names: readonly string[],
    options: CallOptions | undefined,
  ): Promise<Map<string, 'immediate' | 'pending-reboot'>> {
    const applyType = new Map((await this.describeParameters(groupName, undefined, options)).map((p) => [p.ParameterName, p.ApplyType]));
    return new Map(names.map((name) => [name, applyType.get(name) === 'dynamic' ? 'immediate' : 'pending-reboot']));
  }

  /** One request per chunk of parameters, each parameter with the apply method its apply type allows. */
  private async sendInChunks(
    groupName: string,
    names: readonly string[],
    options: CallOptions | undefined,
    send: (parameters: Parameter[]) => Promise<unknown>,
  ): Promise<void> {
    if (names.length === 0) return;
    const methods = await this.applyMethods(groupName, names, options);
    for (const chunk of chunks(names, MAX_PARAMETERS_PER_REQUEST)) {
      const parameters = chunk.map((name) => ({ ParameterName: name, ApplyMethod: methods.get(name) }));
      await send(parameters);
    }
  }

  async setParameters(groupName: string, values: Readonly<Record<string, string>>, options?: CallOptions): Promise<void> {
    await this.sendInChunks(groupName, Object.keys(values), options, (parameters) =>
      this.call('ModifyDBParameterGroup', options, (sdk) =>
        this.client.send(
          new ModifyDBParameterGroupCommand({
            DBParameterGroupName: groupName,
            Parameters: parameters.map((p) => ({ ...p, ParameterValue: values[p.ParameterName ?? ''] })),
          }),
          sdk,
        ),
      ),
    );
  }

  async resetParameters(groupName: string, names: readonly string[], options?: CallOptions): Promise<void> {
    await this.sendInChunks(groupName, names, options, (parameters) =>
      this.call('ResetDBParameterGroup', options, (sdk) =>
        this.client.send(new ResetDBParameterGroupCommand({ DBParameterGroupName: groupName, ResetAllParameters: false, Parameters: parameters }), sdk),
      ),
    );
  }

  async deleteParameterGroup(name: string, options?: CallOptions): Promise<void> {
    try {
      await this.call('DeleteDBParameterGroup', options, (sdk) => this.client.send(new DeleteDBParameterGroupCommand({ DBParameterGroupName: name }), sdk));
    } catch (err) {
      if (isRdsError(err, 'not-found')) return;
      throw err;
    }
  }
}
