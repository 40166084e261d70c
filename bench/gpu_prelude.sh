# Sourced by the device scripts (bench/gpu_session.sh, bench/gpu_wavegan_sweep.sh,
# bench/gpu_paper_rows.sh): installs the wheels that travel in .whl/ (the lent machine has
# torch and Lightning but not Hydra or ganforge) unless NO_WHEELS is set, marks the start
# (/tmp/marker: results newer than it are packed) and defines `say` (a line with the seconds
# since the start). Expects PY (the python to use).
if [ -d .whl ] && [ -z "${NO_WHEELS:-}" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site PATH=/tmp/site/bin:$PATH
fi
touch /tmp/marker; t0=$(date +%s)
say() { echo "[$(( $(date +%s) - t0 ))s] $*"; }
nvidia-smi -L 2>/dev/null || true
