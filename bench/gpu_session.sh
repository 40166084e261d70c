#!/usr/bin/env bash
# The device script behind the GPU rows of docs/benchmarks.md (issues 14, 15, 16, 19).
#
# It runs on a lent GPU machine whose Python has torch/lightning/torchmetrics but not
# Hydra or ganforge: the wheels travel in .whl/ (hydra-core, omegaconf, antlr4, nltk,
# soundfile + cffi, and ganforge + its plugins built with `pip wheel --no-deps`) and
# MNIST in gpu_data/mnist. Everything lands in $OUT/gpu_results.tar.gz.
#
#   1. oracle cpu profile, 3 oracle seeds (+ the rollout policy read from the current
#      generator), in the background from the start: launch-bound jobs on their own cores;
#   2. paired timings, one at a time: speed options (DCGAN 64 px, batch 128), rollouts,
#      StyleGAN2 demodulation, WaveGAN paper-size speed;
#   3. time-budget quality runs side by side: DCGAN 64 px on MNIST (classifier-FID),
#      WaveGAN d=64 16 kHz on the embedded drums (IS), the oracle `paper` profile.
#
# Preparing what travels (here, before the device call; both folders are git-ignored locally):
#   mkdir -p .whl gpu_data && cp -r ../shared/data/mnist gpu_data/
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 -d .whl hydra-core omegaconf nltk soundfile cffi pycparser
#   pip wheel --no-deps -w .whl antlr4-python3-runtime==4.9.3
#   pip wheel --no-deps --no-build-isolation -w .whl . plugins/images plugins/audio plugins/sequence
# then run it with .whl and gpu_data carried:
#   OUT=/tmp/out ACC=gpu QUALITY_S=240 DEADLINE=555 bash bench/gpu_session.sh
# A CPU dry run of the script itself: NO_WHEELS=1 PY=.venv/bin/python ACC=cpu TINY=1 QUALITY_S=20 bash bench/gpu_session.sh
set -u
export PYTHONUNBUFFERED=1 GANFORGE_CACHE_DIR=/tmp/gfcache MPLBACKEND=Agg
OUT=${OUT:-/tmp/out}; ACC=${ACC:-gpu}; QUALITY_S=${QUALITY_S:-240}; TINY=${TINY:-0}
DEV=$([ "$ACC" = gpu ] && echo cuda || echo cpu)
PY=${PY:-python3}
LOGS=/tmp/gpu_logs; mkdir -p "$LOGS" "$OUT"
source bench/gpu_prelude.sh
# tiny sizes for a dry run of the script itself on a CPU (TINY=1)
if [ "$TINY" = 1 ]; then
  ORACLE_EXTRA="debug=smoke model.mle.epochs=1 model.d_pretrain.rounds=1 model.adversarial.iterations=2 data.num_test=16 model.eval.samples=32 model.discriminator.filter_sizes=[2,3] model.discriminator.num_filters=[4,4]"
  SPEED="--repeats 1 --warmup 1 --steps 2 --extra data.size=32 data.batch_size=8"; DEMOD="--size 32 --repeats 1 --warmup 1 --steps 1 --extra model.channel_base=512 model.channel_max=16"
  ROLL="--reps 1 --batch 4 --rollouts 2 --vocab 50 --seq-len 6"; AUDIO="--paper-steps 2 --small-steps 2"
else
  ORACLE_EXTRA=""; SPEED="--repeats 2 --warmup 15 --steps 50 --extra data.size=64 data.batch_size=128"
  DEMOD="--size 64 --repeats 2 --warmup 5 --steps 20"; ROLL=""; AUDIO="--paper-steps 21 --small-steps 21"
fi

say "1. oracle seeds in the background"
for s in 0 1 2; do
  timeout $(( ${DEADLINE:-560} - 40 )) $PY bench/seqgan_oracle.py --profile cpu --device "$DEV" --threads 2 --current-rollout --tag "_seed$s" \
    --out /tmp/oracle_seed$s --throughput-reps 1 data.oracle_seed=$s seed=$s $ORACLE_EXTRA > "$LOGS/oracle_seed$s.log" 2>&1 &
done

say "2. paired timings"
timeout 170 $PY bench/speed_options.py --accelerator "$ACC" --threads 4 $SPEED > "$LOGS/speed_options.log" 2>&1; say "speed_options rc=$?"
timeout 60 $PY bench/rollouts.py --device "$DEV" --threads 4 $ROLL > "$LOGS/rollouts.log" 2>&1; say "rollouts rc=$?"
timeout 90 $PY bench/stylegan2_demod.py --accelerator "$ACC" --threads 4 $DEMOD > "$LOGS/demod.log" 2>&1; say "demod rc=$?"
timeout 60 $PY bench/audio.py --part speed --device "$DEV" $AUDIO --json-only bench/results/audio_gpu_speed.json > "$LOGS/audio_speed.log" 2>&1; say "audio speed rc=$?"

# the whole script must end inside the device call's limit (DEADLINE s): shrink the budget if the timings ran long
left=$(( ${DEADLINE:-560} - ($(date +%s) - t0) - 75 ))
[ "$left" -lt "$QUALITY_S" ] && QUALITY_S=$left
say "3. quality runs side by side (${QUALITY_S}s of training each)"
hms=$(printf '00:00:%02d:%02d' $((QUALITY_S / 60)) $((QUALITY_S % 60)))
timeout $((QUALITY_S + 60)) $PY bench/image_learning.py --parts dcgan64 --size 64 --accelerator "$ACC" --budget $((QUALITY_S - 40)) \
  --points 3 --slice $((QUALITY_S - 40)) --mnist gpu_data/mnist > "$LOGS/dcgan64.log" 2>&1 &
timeout $((QUALITY_S + 60)) gan-run domain=audio model=wavegan trainer.accelerator="$ACC" trainer.max_time="$hms" \
  trainer.max_steps=1000000 run.progress_bar=false run.eval_every=500 run.sample_every=1000 metrics.n_samples=256 \
  hydra.run.dir=/tmp/wavegan_gpu > "$LOGS/wavegan_gpu.log" 2>&1 &
timeout $((QUALITY_S + 40)) gan-run domain=oracle model=seqgan trainer.accelerator="$ACC" trainer.max_time="$hms" \
  run.progress_bar=false hydra.run.dir=/tmp/oracle_paper $([ "$TINY" = 1 ] && echo "$ORACLE_EXTRA") > "$LOGS/oracle_paper.log" 2>&1 &
wait
say "all done"
nvidia-smi --query-gpu=name,memory.used --format=csv 2>/dev/null || true
mkdir -p /tmp/pack/runs
for r in wavegan_gpu oracle_paper; do
  [ -d /tmp/$r ] && mkdir -p /tmp/pack/runs/$r && cp -r /tmp/$r/logs /tmp/$r/metrics.json /tmp/$r/status.json /tmp/$r/samples /tmp/pack/runs/$r/ 2>/dev/null
done
for f in /tmp/oracle_seed*/*/logs/metrics.csv; do
  [ -f "$f" ] && mkdir -p "/tmp/pack/$(dirname "${f#/tmp/}")" && cp "$f" "/tmp/pack/${f#/tmp/}"
done
find bench/results -newer /tmp/marker -type f -exec cp --parents {} /tmp/pack/ \;
cp -r "$LOGS" /tmp/pack/logs
tar czf "$OUT/gpu_results.tar.gz" -C /tmp/pack . && say "packed $(du -h "$OUT/gpu_results.tar.gz" | cut -f1)"
