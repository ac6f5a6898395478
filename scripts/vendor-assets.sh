#!/usr/bin/env bash
# Redoes the copy of the front-end libraries the server embeds
# (crates/holisec-server/assets/vendor/): installs the exact versions pinned by
# crates/holisec-server/web/package-lock.json with `npm ci`, copies the files
# the pages load and the packages' LICENSE files, and rewrites MANIFEST.md with
# each file's sha256. Run it after changing a version in web/package.json
# (then `npm install` there to update the lockfile) and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
web=crates/holisec-server/web
out=crates/holisec-server/assets/vendor
(cd "$web" && npm ci --no-audit --no-fund --silent)
mkdir -p "$out"
version() { node -p "require('./$web/node_modules/$1/package.json').version"; }
licence() { node -p "require('./$web/node_modules/$1/package.json').license"; }
# package  file in the package  name in vendor/
files=(
    "cytoscape dist/cytoscape.min.js cytoscape.min.js"
    "cytoscape LICENSE cytoscape.LICENSE"
    "uplot dist/uPlot.iife.min.js uPlot.iife.min.js"
    "uplot dist/uPlot.min.css uPlot.min.css"
    "uplot LICENSE uPlot.LICENSE"
)
{
    echo "# Vendored front-end libraries"
    echo
    echo "Copied from the npm packages pinned in \`crates/holisec-server/web/package-lock.json\` by"
    echo "\`scripts/vendor-assets.sh\` (do not edit by hand). The server embeds them with \`include_bytes!\`."
    echo
    echo "| package | version | file | sha256 | licence |"
    echo "|---|---|---|---|---|"
    for row in "${files[@]}"; do
        read -r pkg src dst <<<"$row"
        cp "$web/node_modules/$pkg/$src" "$out/$dst"
        sum=$(sha256sum "$out/$dst" | cut -d' ' -f1)
        echo "| $pkg | $(version "$pkg") | $dst | \`$sum\` | $(licence "$pkg") |"
    done
} >"$out/MANIFEST.md"
echo "vendor-assets.sh: wrote $out/MANIFEST.md" >&2
