// The RDS API operation each AWS step sends: the name a failure, an Event and a held change are reported under.
import type { Step } from './types.js';

export const AWS_OPERATION: Partial<Record<Step['kind'], string>> = {
  createParameterGroup: 'CreateDBParameterGroup',
  setParameters: 'ModifyDBParameterGroup',
  resetParameters: 'ResetDBParameterGroup',
  deleteParameterGroup: 'DeleteDBParameterGroup',
  tagResource: 'AddTagsToResource',
  createPrimary: 'CreateDBInstance',
  applyMasterPassword: 'ModifyDBInstance',
  createReplica: 'CreateDBInstanceReadReplica',
  modifyInstance: 'ModifyDBInstance',
  deleteInstance: 'DeleteDBInstance',
};
