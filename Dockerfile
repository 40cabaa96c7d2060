# batchfn as an Azure Functions container image, for `hosting: 'containerapps'` (docs/deploy.md):
#   az acr build --registry <registry> --image batchfn:<tag> .     (or: docker build -t batchfn .)
# The base image is the Azure Functions host with Node 22, the line infra/main.bicep runs on Flex
# Consumption too (test/integration/infra/dockerfile.test.ts keeps them equal). Python scoring gets
# Debian's python3 with scikit-learn, pandas, cloudpickle and Pillow, plus whatever
# requirements.txt lists. No secret is baked in: settings come from the Container App at run time.

FROM mcr.microsoft.com/azure-functions/node:4-node22 AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json host.json ./
COPY functions ./functions
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM mcr.microsoft.com/azure-functions/node:4-node22
RUN apt-get update \
  && apt-get install -y --no-install-recommends \
    python3 python3-venv python3-sklearn python3-pandas python3-cloudpickle python3-pil \
  && rm -rf /var/lib/apt/lists/*
# A virtual environment that sees Debian's packages and adds the ones requirements.txt lists.
COPY requirements.txt /opt/batchfn/requirements.txt
RUN python3 -m venv --system-site-packages /opt/batchfn/python \
  && /opt/batchfn/python/bin/pip install --no-cache-dir -r /opt/batchfn/requirements.txt
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    BATCHFN_PYTHON=/opt/batchfn/python/bin/python3
WORKDIR /home/site/wwwroot
COPY --from=build /build/package.json /build/package-lock.json /build/host.json ./
COPY --from=build /build/dist ./dist
COPY --from=build /build/node_modules ./node_modules
