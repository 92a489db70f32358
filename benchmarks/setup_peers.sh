#!/usr/bin/env bash
# Build the isolated virtual environment that runs the basic-pitch peer (ONNX model).
# basic-pitch pins tensorflow, which conflicts with the project's environment, so it is
# installed with --no-deps next to the few libraries its ONNX inference path really needs.
# Usage: bash benchmarks/setup_peers.sh   (idempotent; re-run to repair)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-bp"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet --no-deps "basic-pitch==0.4.0"
"$venv/bin/python" -m pip install --quiet onnxruntime librosa pretty_midi mir_eval \
    "resampy<0.4.3" scipy scikit-learn soundfile "numpy<2.3" "setuptools<81"
"$venv/bin/python" - <<'PY'
from basic_pitch import ICASSP_2022_MODEL_PATH
from basic_pitch.inference import Model
Model(ICASSP_2022_MODEL_PATH)
print("basic-pitch ready:", ICASSP_2022_MODEL_PATH)
PY
