// The topology documents the client's tests route on are the contract's own fixtures.
export { aTopology, replicas, type ReplicaFixture } from '../../contract/test/fixtures.js';
