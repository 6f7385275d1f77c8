#!/usr/bin/env bash
# The README's second command and .ci/run's command must be the same line (DEVELOPERS guide: ".ci/run
# runs exactly the README's test command").
set -euo pipefail
root=$1
readme_cmd=$(grep -m2 -E '^\s*deploy/install-deps.sh' "$root/README.md" | sed -n 2p | sed 's/^ *//')
ci_cmd=$(grep -E '^deploy/install-deps.sh' "$root/.ci/run")
if [ -z "$readme_cmd" ] || [ "$readme_cmd" != "$ci_cmd" ]; then
  echo "README test command: '$readme_cmd'"; echo ".ci/run command:     '$ci_cmd'"; exit 1
fi
demo_cmd=$(grep -m1 -E '^\s*deploy/install-deps.sh' "$root/README.md")
case "$demo_cmd" in *"canh demo"*) ;; *) echo "README's first command does not run canh demo: $demo_cmd"; exit 1 ;; esac
echo "README and .ci/run agree"
