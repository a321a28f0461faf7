#!/usr/bin/env bash
# make image: the collector's container image for every platform in PLATFORMS,
# as one multi-arch manifest list named $IMAGE plus a per-arch tag
# ($IMAGE-<arch>) to run locally. Each platform's static binaries are
# cross-compiled into bin/linux_<arch>/ and packaged FROM scratch, so nothing
# is pulled from a registry. Podman runs rootful with runc and cgroupfs (crun
# and the systemd cgroup manager do not work on every kernel and host).
#
#   IMAGE      image name (default localhost/otelcol-langsmith:<dist.version>)
#   PLATFORMS  space-separated linux/<arch> list (default "linux/amd64 linux/arm64")
#   GO, PODMAN, RUNC  tools (default: from PATH)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=$(sed -n 's/^  version: *//p' builder-config.yaml)
IMAGE=${IMAGE:-localhost/otelcol-langsmith:$VERSION}
PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64}
GO=${GO:-go}
RUNC=${RUNC:-$(command -v runc || true)}
[[ -n "$RUNC" ]] || { echo "image.sh: runc not found (make podman installs it)" >&2; exit 1; }
# A path, never the bare name: the podman function below would call itself.
PODMAN_BIN=$(command -v "${PODMAN:-podman}" || true)
[[ -n "$PODMAN_BIN" ]] || { echo "image.sh: podman not found (make podman installs it)" >&2; exit 1; }
podman() { "$PODMAN_BIN" --runtime "$RUNC" --cgroup-manager cgroupfs "$@"; }

HOST_ARCH=$("$GO" env GOHOSTARCH)
ARCHS=()
for platform in $PLATFORMS; do
	[[ "$platform" == linux/* ]] || { echo "image.sh: $platform: only linux/<arch> platforms" >&2; exit 1; }
	ARCHS+=("${platform#linux/}")
done

for arch in "${ARCHS[@]}"; do
	out="$PWD/bin/linux_$arch"
	mkdir -p "$out"
	echo "image.sh: compiling linux/$arch"
	# The same flags as make build; the host's warm build cache serves amd64,
	# arm64 compiles cold once (several minutes on 2 cores) and is cached after.
	(cd cmd/otelcol-langsmith && CGO_ENABLED=0 GOOS=linux GOARCH="$arch" "$GO" build -trimpath -ldflags="-s -w" -o "$out/otelcol-langsmith" .)
	CGO_ENABLED=0 GOOS=linux GOARCH="$arch" "$GO" build -trimpath -ldflags="-s -w" -o "$out/prepare-queue-dir" ./internal/cmd/prepare-queue-dir
done

# A manifest list (or image) left from an earlier build would keep old entries.
if podman manifest exists "$IMAGE"; then
	podman manifest rm "$IMAGE" >/dev/null
elif podman image exists "$IMAGE"; then
	podman rmi -f "$IMAGE" >/dev/null
fi
podman manifest create "$IMAGE" >/dev/null

for arch in "${ARCHS[@]}"; do
	echo "image.sh: building $IMAGE-$arch"
	podman build --pull=never --platform "linux/$arch" \
		--label "org.opencontainers.image.title=otelcol-langsmith" \
		--label "org.opencontainers.image.version=$VERSION" \
		-f Dockerfile -t "$IMAGE-$arch" .
	got=$(podman image inspect --format '{{.Os}}/{{.Architecture}}' "$IMAGE-$arch")
	[[ "$got" == "linux/$arch" ]] || { echo "image.sh: $IMAGE-$arch is $got, want linux/$arch" >&2; exit 1; }
	podman manifest add "$IMAGE" "containers-storage:$IMAGE-$arch" >/dev/null
done

# Podman 4.3's plain `podman images` then errors with "locating item named
# manifest-sha256:..." (podman issue 19757, a local manifest list); naming an
# image (`podman images $IMAGE-amd64`), run and manifest inspect work.
# The list must name every platform, or a node of the missing one could not pull it.
listed=$(podman manifest inspect "$IMAGE" | grep -o '"architecture": *"[a-z0-9]*"' | sed 's/.*"\([a-z0-9]*\)"$/\1/' | sort | tr '\n' ' ' | sed 's/ $//')
for arch in "${ARCHS[@]}"; do
	[[ " $listed " == *" $arch "* ]] || { echo "image.sh: manifest $IMAGE lists [$listed], missing $arch" >&2; exit 1; }
done

# Smoke test: the host's image starts (static binary, non-root user).
for arch in "${ARCHS[@]}"; do
	if [[ "$arch" == "$HOST_ARCH" ]]; then
		podman run --rm --network host --ulimit nofile=20000:20000 --ulimit nproc=1000:1000 "$IMAGE-$arch" --version
	fi
done
echo "image.sh: $IMAGE lists [$listed]; per-arch tags: ${ARCHS[*]/#/$IMAGE-}"
echo "image.sh: to publish: podman manifest push --all $IMAGE docker://<registry>/otelcol-langsmith:$VERSION"
