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
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
COPY client/src client/src
COPY operator/src operator/src
RUN npm run build \
 # Test doubles compile with the sources (tsconfig.build.json only leaves out *.test.ts); they are not shipped.
 && find dist -type d -name testing -prune -exec rm -rf {} +

# --- deps: production dependencies of the operator only -----------------------------------------------------
# --workspaces=false: the client library is an npm workspace of this repository, but the operator does not import
# it at run time, so it is neither linked nor copied. --ignore-scripts: no dependency needs an install script.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY client/package.json client/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspaces=false --ignore-scripts --no-audit --no-fund

# --- runtime -------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# package.json carries "type": "module", which Node needs to load dist/ as ES modules.
COPY --from=deps --chown=root:root /app/package.json ./
COPY --from=deps --chown=root:root /app/node_modules node_modules
COPY --from=build --chown=root:root /src/dist dist
# Files stay owned by root and read-only to the process; the chart also mounts the root filesystem read-only.
USER node
EXPOSE 8080
# Exec form: node is PID 1 and receives SIGTERM itself, releases the Lease and exits (main.ts handles signals).
ENTRYPOINT ["node", "--enable-source-maps", "dist/main.js"]
