#!/usr/bin/env bash
# Device script (issue 14): is the WaveGAN CPU recipe reliable across seeds, and which change
# makes it so? A lent GPU runs the CPU profile's training (same steps, same settings; only the
# device differs) for several recipes x seeds side by side, each through
# `bench/audio_learning.py` (the CPU benchmark's own protocol: step-0 evaluation, evaluation
# every 200 G steps, copy check). The winner is then re-run on the CPU, where the target lives.
#
# Recipes (all: embedded drums at 8 kHz, 4,096-sample windows, WGAN-GP 5 critic steps,
# nearest-neighbour upsampling, Adam 4e-4, EMA 0.995):
#   base   d=24, batch 32, 950 steps, lr decay from step 400 (the recipe of 2026-11-27)
#   b64    d=16, batch 64, 870 steps, decay from 400 (about the same CPU time per step)
#   nops   base without phase shuffle in D
#   long   base with 1,500 steps (60% more), decay from 650
#
# Travels with .whl (hydra-core, omegaconf, antlr4, soundfile, cffi, pycparser, ganforge and
# ganforge-audio wheels) and gpu_data/gfcache (the drum-type classifier, trained once here, so
# twelve runs do not race to train it). Everything lands in $OUT/sweep.tar.gz.
#   OUT=/tmp/out BUDGET_MIN=7 bash bench/gpu_wavegan_sweep.sh
# A CPU dry run of the script itself: NO_WHEELS=1 PY=.venv/bin/python ACC=cpu BUDGET_MIN=0.3 SEEDS=1 bash bench/gpu_wavegan_sweep.sh
set -u
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
OUT=${OUT:-/tmp/out}; ACC=${ACC:-gpu}; PY=${PY:-python3}; BUDGET_MIN=${BUDGET_MIN:-7}; SEEDS=${SEEDS:-"1 2 3"}
export GANFORGE_CACHE_DIR=/tmp/gfcache
mkdir -p "$OUT" /tmp/sweep_logs /tmp/gfcache && cp -r gpu_data/gfcache/. /tmp/gfcache/ 2>/dev/null
source bench/gpu_prelude.sh
COMMON="model.upsample=nearest optim.lr_g=4e-4 optim.lr_d=4e-4 ema.decay=0.995 trainer.accelerator=$ACC"
declare -A RECIPE=(
  [base]="model.d=24 trainer.max_steps=950 optim.decay_start=400"
  [b64]="model.d=16 data.batch_size=64 trainer.max_steps=870 optim.decay_start=400"
  [nops]="model.d=24 trainer.max_steps=950 optim.decay_start=400 model.phase_shuffle=0"
  [long]="model.d=24 trainer.max_steps=1500 optim.decay_start=650"
)
for r in base b64 nops long; do
  for s in $SEEDS; do
    $PY bench/audio_learning.py --model wavegan --budget-min "$BUDGET_MIN" --eval-every 200 --seed "$s" \
      --tag "_gpu_${r}_seed$s" --out "/tmp/sweep_runs/${r}_seed$s" $COMMON ${RECIPE[$r]} \
      > "/tmp/sweep_logs/${r}_seed$s.log" 2>&1 &
  done
done
sleep 60; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv 2>/dev/null; say "launched"
wait
say "all done"
mkdir -p /tmp/pack
find bench/results -newer /tmp/marker -name 'audio_learning_wavegan_gpu_*.json' -exec cp {} /tmp/pack/ \;
cp -r /tmp/sweep_logs /tmp/pack/logs
for d in /tmp/sweep_runs/*/; do
  [ -f "$d/logs/metrics.csv" ] && cp "$d/logs/metrics.csv" "/tmp/pack/logs/$(basename "$d")_metrics.csv"
done
tar czf "$OUT/sweep.tar.gz" -C /tmp/pack . && say "packed $(du -h "$OUT/sweep.tar.gz" | cut -f1)"
