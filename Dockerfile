# One image for every process of distributed mode: `livechat api | relay | projector`.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# The browser bundles (the widget, the console) are built here too: npm run build runs scripts/build-web.mjs.
COPY scripts/build-web.mjs ./scripts/build-web.mjs
COPY web ./web
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY public ./public
COPY package.json ./
USER node
ENTRYPOINT ["node", "--enable-source-maps", "dist/src/cli.js"]
CMD ["start"]
