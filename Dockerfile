# syntax=docker/dockerfile:1

# bookworm-slim (glibc) rather than alpine: native dev deps such as @swc/core ship glibc binaries.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: full install (dev deps included) for the build ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- build: compile apps, libs and migrations into dist/ ---
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
RUN npm run build

# --- prod-deps: production node_modules only, installed apart so no dev deps leak in ---
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOOKFLOW_HOST=0.0.0.0 \
    HOOKFLOW_RULES_DIR=/app/rules
WORKDIR /app
# Files stay root-owned: the non-root process can read but not rewrite its own code.
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Example rules; docker-compose mounts ./rules over this directory.
COPY rules ./rules
# Where docker-compose keeps the generated master key (HOOKFLOW_MASTER_KEY_FILE): a named volume
# mounted here starts with this owner and mode, so only the app user can read or write it.
RUN mkdir -p /var/lib/hookflow/keys && chown node:node /var/lib/hookflow/keys && chmod 700 /var/lib/hookflow/keys
USER node
EXPOSE 3000 3001 3002
# No HEALTHCHECK here: the port to probe depends on which app runs (ingest, engine or both);
# docker-compose.yml sets one per service.
# Default: single node (migrations + ingest + engine in one process). Override the command with
#   node dist/apps/cli/src/main.js migrate | node dist/apps/ingest/src/main.js | node dist/apps/engine/src/main.js
CMD ["node", "dist/apps/cli/src/main.js", "start"]
