#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the shared corpus (../shared/corpus beside the
# repository) and the demo material in assets/. Nothing here is committed: fuzz/corpus is
# ignored by git. Re-running adds the seeds again (same names, same bytes).
set -euo pipefail
cd "$(dirname "$0")"
REPO=..
SHARED="${EVX_CORPUS:-$REPO/../shared/corpus}"
ASSETS="$REPO/assets"
OUT=corpus
MAX_SEED_BYTES=262144

if [ ! -d "$SHARED" ]; then
    echo "shared corpus not found at $SHARED (set EVX_CORPUS); seeding from assets/ only" >&2
    SHARED=""
fi

# seed TARGET FILE [SELECTOR_BYTE]: copies FILE into the target's corpus, optionally prefixed
# with one selector byte (given in octal, as printf wants it).
seed() {
    local target=$1 file=$2 selector=${3:-}
    [ -f "$file" ] || return 0
    [ "$(stat -c %s "$file")" -le "$MAX_SEED_BYTES" ] || return 0
    mkdir -p "$OUT/$target"
    local name
    name="$(echo "$file" | sed 's|[^A-Za-z0-9._-]|_|g')${selector:+.s$selector}"
    if [ -n "$selector" ]; then
        { printf "\\$selector"; cat "$file"; } >"$OUT/$target/$name"
    else
        cp "$file" "$OUT/$target/$name"
    fi
}

# files DIR... : every regular file below the given directories (missing ones skipped).
files() {
    local dir
    for dir in "$@"; do
        [ -n "$dir" ] && [ -d "$dir" ] && find "$dir" -type f | sort
    done
    return 0
}

shared() { [ -n "$SHARED" ] && echo "$SHARED/$1" || echo ""; }

# Archives of the demo bundles in every form.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for bundle in demo audit-pack legacy-bundle; do
    tar -C "$ASSETS" -cf "$tmp/$bundle.tar" "$bundle"
    gzip -kc "$tmp/$bundle.tar" >"$tmp/$bundle.tar.gz"
    if command -v zstd >/dev/null; then zstd -q -c "$tmp/$bundle.tar" >"$tmp/$bundle.tar.zst"; fi
done
for f in $(files "$tmp"); do seed archive "$f"; done

json_files=$(files "$ASSETS" "$(shared "")" | grep -E '\.(json|ndjson|jsonl|link|layout|sig)$' || true)
for f in $json_files; do
    seed json_jcs "$f"
    seed sniff "$f" 000
done
for f in $(files "$(shared checkpoints)") "$ASSETS/audit-pack/rekor/checkpoint"; do
    seed sniff "$f" 002
    seed checkpoint "$f"
done
for f in $(files "$ASSETS/audit-pack/rekor/tile"); do seed sniff "$f" 003; done
for f in $(files "$ASSETS/demo/keys" "$ASSETS/legacy-bundle/keys"); do seed sniff "$f" 004; done
seed sniff "$ASSETS/legacy-bundle/sboms/checksums.txt" 005

for f in $(files "$(shared cyclonedx)" "$(shared cdx-vex)") "$ASSETS"/demo/sboms/*.cdx.json \
    "$ASSETS/demo/vex/platform-maintainers.cdx.json" "$ASSETS/audit-pack/canonical_bom.json"; do
    seed cyclonedx "$f"
done
for f in $(files "$(shared spdx)") "$ASSETS/demo/sboms/payments-api.spdx.json"; do seed spdx "$f"; done
for f in $(files "$(shared openvex)"); do seed openvex "$f"; done
for f in $(files "$(shared csaf)") "$ASSETS/demo/vex/northwind-security.csaf.json"; do seed csaf "$f"; done
for f in $(files "$(shared dsse)" "$ASSETS/demo/attestations") "$ASSETS/demo/vex/acme-psirt.openvex.dsse.json" \
    "$ASSETS/audit-pack/dsse_envelope.json" "$ASSETS/audit-pack/manifest.sig"; do
    seed dsse "$f"
done
for f in $(files "$ASSETS/demo/exports" "$ASSETS/broken-exports"); do seed exports "$f"; done

seed manifests "$ASSETS/audit-pack/manifest.json" 000
for pack in $(files "$ASSETS/broken-packs" | grep '/manifest.json$'); do seed manifests "$pack" 000; done
seed manifests "$ASSETS/legacy-bundle/manifest.json" 001
seed manifests "$ASSETS/legacy-bundle/sboms/checksums.txt" 002
printf '{"files": {"payments-api-2.3.0.cdx.json": "sha256:%064d"}}' 0 >"$tmp/checksums.json"
seed manifests "$tmp/checksums.json" 003

seed tiles_proof "$ASSETS/audit-pack/rekor/proof.json" 000
seed tiles_proof "$ASSETS/audit-pack/rekor/tile/0/000" 001
seed tiles_proof "$ASSETS/audit-pack/rekor/tile/0/001.p/44" 002
seed tiles_proof "$ASSETS/audit-pack/rekor/tile/1/000.p/1" 003
for f in $(files "$(shared merkle)" | head -40); do seed tiles_proof "$f" 000; done

seed trust_policy "$ASSETS/trust.json"
mkdir -p "$OUT/purl"
i=0
for purl in $(cat $json_files | grep -aoE '"pkg:[^" ]{1,200}"' | tr -d '"' | sort -u | head -300); do
    printf '%s' "$purl" >"$OUT/purl/purl-$i"
    i=$((i + 1))
done

for dir in "$OUT"/*; do echo "$(basename "$dir"): $(find "$dir" -type f | wc -l) seeds"; done
