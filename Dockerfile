# syntax=docker/dockerfile:1
# The operator image: compiled JavaScript and production dependencies on a Node 22 LTS base, run as the
# unprivileged `node` user. test/ship/production-install.int.test.ts performs the same production install
# (the `deps` stage's command, checked against this file) and starts the operator from it.

ARG NODE_IMAGE=node:22-bookworm-slim

# --- build: every dependency, then the TypeScript compile -------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
COPY contract/package.json contract/tsconfig.build.json contract/
COPY controller-runtime/package.json controller-runtime/tsconfig.build.json controller-runtime/
# The client's manifest only keeps the lockfile's workspaces complete; the operator does not use the client.
COPY client/package.json client/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
COPY contract/src contract/src
COPY controller-runtime/src controller-runtime/src
COPY operator/src operator/src
RUN npm run build -w contract && npm run build -w controller-runtime && npx tsc -p tsconfig.build.json \
 # The workspaces' type declarations are for compiling against them, not for the operator at run time.
 && find contract/dist controller-runtime/dist -name '*.d.ts' -delete -o -name '*.d.ts.map' -delete

# --- deps: production dependencies ---------------------------------------------------------------------------
# The root's dependencies plus the two workspaces of this repository the operator imports at run time, linked as
# node_modules/@servio/<name> -> <folder>/ with their own production dependencies: the topology contract
# (@servio/replicasetdb-contract) and the controller runtime (@servio/controller-runtime). The other workspace,
# the client library, and its pg are not installed: --workspace ... --include-workspace-root leaves them out.
# --ignore-scripts: no dependency needs one.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY controller-runtime/package.json controller-runtime/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace=contract --workspace=controller-runtime --include-workspace-root --ignore-scripts --no-audit --no-fund

# --- runtime -------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# package.json carries "type": "module", which Node needs to load dist/ as ES modules.
COPY --from=deps --chown=root:root /app/package.json ./
COPY --from=deps --chown=root:root /app/node_modules node_modules
COPY --from=deps --chown=root:root /app/contract/package.json contract/
COPY --from=build --chown=root:root /src/contract/dist contract/dist
COPY --from=deps --chown=root:root /app/controller-runtime/package.json controller-runtime/
COPY --from=build --chown=root:root /src/controller-runtime/dist controller-runtime/dist
COPY --from=build --chown=root:root /src/dist dist
# Files stay owned by root and read-only to the process; the chart also mounts the root filesystem read-only.
USER node
EXPOSE 8080
# Exec form: node is PID 1 and receives SIGTERM itself, releases the Lease and exits (main.ts handles signals).
ENTRYPOINT ["node", "--enable-source-maps", "dist/main.js"]
