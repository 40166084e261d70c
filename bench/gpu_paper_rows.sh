#!/usr/bin/env bash
# Device script (issue 14's paper-scale rows): WaveGAN d=64 at 16 kHz through the CPU
# benchmark's own protocol (`bench/audio_learning.py --profile paper`: step-0 evaluation, IS
# of the drum-type classifier, log-spectrum distance, copy check) and DCGAN 64 px on MNIST to
# its final classifier-FID, side by side. Travels with .whl (as bench/gpu_wavegan_sweep.sh,
# plus ganforge-images) and gpu_data/{gfcache,mnist}. Results land in $OUT/paper_rows.tar.gz.
#   OUT=/tmp/out WAVEGAN_MIN=5 DCGAN_S=150 bash bench/gpu_paper_rows.sh
set -u
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg GANFORGE_CACHE_DIR=/tmp/gfcache
OUT=${OUT:-/tmp/out}; ACC=${ACC:-gpu}; PY=${PY:-python3}; WAVEGAN_MIN=${WAVEGAN_MIN:-5}; DCGAN_S=${DCGAN_S:-150}
mkdir -p "$OUT" /tmp/rows_logs /tmp/gfcache && cp -r gpu_data/gfcache/. /tmp/gfcache/
source bench/gpu_prelude.sh
$PY bench/audio_learning.py --model wavegan --profile paper --budget-min "$WAVEGAN_MIN" --eval-every 500 \
  --tag _paper_gpu --out /tmp/wavegan_paper trainer.accelerator="$ACC" > /tmp/rows_logs/wavegan_paper.log 2>&1 &
$PY bench/image_learning.py --parts dcgan64 --size 64 --accelerator "$ACC" --budget "$DCGAN_S" --points 3 \
  --slice "$DCGAN_S" --mnist gpu_data/mnist > /tmp/rows_logs/dcgan64.log 2>&1 &
wait
say "all done"
mkdir -p /tmp/pack && cp -r /tmp/rows_logs /tmp/pack/logs
find bench/results -newer /tmp/marker -type f -exec cp {} /tmp/pack/ \;
[ -f /tmp/wavegan_paper/logs/metrics.csv ] && cp /tmp/wavegan_paper/logs/metrics.csv /tmp/pack/logs/wavegan_paper_metrics.csv
tar czf "$OUT/paper_rows.tar.gz" -C /tmp/pack . && say "packed $(du -h "$OUT/paper_rows.tar.gz" | cut -f1)"
