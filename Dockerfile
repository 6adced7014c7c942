# syntax=docker/dockerfile:1
# The operator image: compiled JavaScript and production dependencies on a Node 22 LTS base, run as the
# unprivileged `node` user. test/ship/production-install.int.test.ts performs the same production install
# (the `deps` stage's command, checked against this file) and starts the operator from it.

ARG NODE_IMAGE=node:22-bookworm-slim

# --- build: every dependency, then the TypeScript compile -------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
COPY client/package.json client/tsconfig.build.json client/
COPY controller-runtime/package.json controller-runtime/tsconfig.build.json controller-runtime/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
COPY client/src client/src
COPY controller-runtime/src controller-runtime/src
COPY operator/src operator/src
RUN npm run build \
 # The workspaces' type declarations are for compiling against them, not for the operator at run time.
 && find client/dist controller-runtime/dist -name '*.d.ts' -delete -o -name '*.d.ts.map' -delete

# --- deps: production dependencies ---------------------------------------------------------------------------
# The operator imports the client library (@servio/replicasetdb-client, an npm workspace of this repository) at
# run time for the topology contract, and the controller runtime (@servio/controller-runtime, another workspace),
# so the workspaces are linked (node_modules/@servio/<name> -> <folder>/) and their production dependencies are
# installed. --ignore-scripts: no dependency needs one.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY client/package.json client/
COPY controller-runtime/package.json controller-runtime/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime -------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# package.json carries "type": "module", which Node needs to load dist/ as ES modules.
COPY --from=deps --chown=root:root /app/package.json ./
COPY --from=deps --chown=root:root /app/node_modules node_modules
COPY --from=deps --chown=root:root /app/client/package.json client/
COPY --from=build --chown=root:root /src/client/dist client/dist
COPY --from=deps --chown=root:root /app/controller-runtime/package.json controller-runtime/
COPY --from=build --chown=root:root /src/controller-runtime/dist controller-runtime/dist
COPY --from=build --chown=root:root /src/dist dist
# Files stay owned by root and read-only to the process; the chart also mounts the root filesystem read-only.
USER node
EXPOSE 8080
# Exec form: node is PID 1 and receives SIGTERM itself, releases the Lease and exits (main.ts handles signals).
ENTRYPOINT ["node", "--enable-source-maps", "dist/main.js"]
