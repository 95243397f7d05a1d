# faultline: a drop-in for the Toxiproxy image (ghcr.io/shopify/toxiproxy): control API on 8474,
# proxies on 8666-8697, ready when GET /version answers 200, LOG_LEVEL honoured. The same image
# runs the partition-test harness (`run`) and the demo upstreams (`upstream mcp|http|tcp`).
#
#   docker build -t faultline .
#   docker run --rm -p 8474:8474 faultline                 # = toxiproxy-server -host 0.0.0.0
#   docker run --rm faultline run --help                     # any faultline command

ARG NODE_IMAGE=node:20-bookworm-slim

# Build: every dependency (tsc is a devDependency), then the compiled dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && chmod 755 dist/bin/faultline.js

# Production dependencies only; --ignore-scripts keeps `prepare` (tsc) from running.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Runtime: node, the production node_modules, dist/, package.json, the built-in scenarios (the
# harness finds harness/scenarios next to package.json) and the example clients. Files stay
# root-owned, read-only to the process.
FROM ${NODE_IMAGE}
ENV LOG_LEVEL=info
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY harness/scenarios ./harness/scenarios
# The example client adapters, for `run --client "node /app/examples/clients/node-client.mjs"`.
COPY examples/clients ./examples/clients
RUN ln -s /app/dist/bin/faultline.js /usr/local/bin/faultline
USER node
# A folder the process may write in: `run` writes its results under the working directory by default.
WORKDIR /home/node
EXPOSE 8474 8666-8697
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8474/version').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/bin/faultline.js"]
CMD ["server", "--host", "0.0.0.0"]
