#!/usr/bin/env bash
# Prepares Docker for the container tests on a machine with no image registry in reach:
#  1. starts dockerd when no engine answers (the docker.io package installs it; .ci/run does);
#  2. makes a local `node:22-slim` base image offline, so the project's conventional
#     Dockerfiles (`FROM node:22-slim`) build unchanged: the Node 22 binary from
#     node_modules/node, npm, a POSIX shell and the usual command-line tools, each with the
#     shared libraries `ldd` lists, and a `node` user (uid 1000) as in the official image.
# Idempotent and quick when everything is already there. Exits non-zero, saying why, when
# Docker cannot be made to work: the container tests must fail then, never pass vacuously.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE_IMAGE="${LOOPGATE_BASE_IMAGE:-node:22-slim}"

if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "docker-test-setup: no Docker engine answers and dockerd is not installed (apt-get install -y docker.io)" >&2
    exit 1
  fi
  echo "docker-test-setup: starting dockerd (log: /tmp/dockerd.log)" >&2
  nohup dockerd >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    echo "docker-test-setup: dockerd did not come up; see /tmp/dockerd.log" >&2
    tail -n 20 /tmp/dockerd.log >&2 || true
    exit 1
  fi
fi

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  exit 0
fi

NODE_BIN="$ROOT/node_modules/node/bin/node"
[ -x "$NODE_BIN" ] || NODE_BIN="$(readlink -f "$ROOT/node_modules/.bin/node")"
if ! "$NODE_BIN" -e 'process.exit(+process.versions.node.split(".")[0] === 22 ? 0 : 1)'; then
  echo "docker-test-setup: $NODE_BIN is not Node 22 (npm ci installs it as a devDependency)" >&2
  exit 1
fi
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"

ROOTFS="$(mktemp -d /tmp/loopgate-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT

# Copies an executable and every library it links against to the same paths in the rootfs.
copy_with_libs() {
  local bin="$1" dest="$2"
  mkdir -p "$ROOTFS$(dirname "$dest")"
  cp -L "$bin" "$ROOTFS$dest"
  ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do
    [ -e "$lib" ] || continue
    mkdir -p "$ROOTFS$(dirname "$lib")"
    cp -Ln "$lib" "$ROOTFS$lib"
  done
}

copy_with_libs "$NODE_BIN" /usr/local/bin/node
mkdir -p "$ROOTFS/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

for tool in sh bash cat ls env grep sleep mkdir rm rmdir cp mv ln echo printf head tail wc id whoami hostname ps find sort uniq uname touch tr sed chmod chown chgrp date true false test tee xargs cut stat readlink dirname basename mktemp du df kill nproc; do
  path="$(command -v "$tool" || true)"
  case "$path" in /*) copy_with_libs "$path" "/bin/$tool" ;; esac
done
mkdir -p "$ROOTFS/usr/bin" && ln -s /bin/env "$ROOTFS/usr/bin/env"

mkdir -p "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/root" "$ROOTFS/home/node" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev"
chmod 1777 "$ROOTFS/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"
chown 1000:1000 "$ROOTFS/home/node"
# This machine reaches the npm registry through a TLS-inspecting egress proxy: the image trusts
# the same CA bundle as the host, or `npm ci` in a Dockerfile fails with SELF_SIGNED_CERT_IN_CHAIN.
CA_BUNDLE="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
CA_ENV=()
if [ -f "$CA_BUNDLE" ]; then
  mkdir -p "$ROOTFS/etc/ssl/certs"
  cp -L "$CA_BUNDLE" "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  CA_ENV=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
fi

tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_VERSION=22' \
  "${CA_ENV[@]}" \
  --change 'CMD ["node"]' \
  - "$BASE_IMAGE" >/dev/null
echo "docker-test-setup: built $BASE_IMAGE offline from $NODE_BIN" >&2
