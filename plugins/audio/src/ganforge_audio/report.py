"""The audio domain's part of the run report: a player per sample step with a labelled
waveform and spectrogram (time in seconds, frequency in kHz, power in dB), and
``gan-sample interpolate=K`` output as one WAV per path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from ganforge.report import Audio, Figure, ReportGroup, ReportSection, is_stale, sample_steps, thin_steps

#: longest stretch of a sample strip drawn in the figure (a strip of 64 one-second clips
#: would be an unreadable smear; the player still plays all of it)
MAX_PLOT_SECONDS = 8.0


def plot_waveform_and_spectrogram(wav: Path, out: Path, title: str = "") -> Path:
    """Save a two-panel PNG: waveform (amplitude over seconds) above a log-power
    spectrogram (kHz over seconds, dB colour bar)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    audio, rate = sf.read(str(wav), dtype="float32", always_2d=True)
    audio = audio.mean(axis=1)[: int(MAX_PLOT_SECONDS * rate)]
    t = np.arange(len(audio)) / rate
    fig, (ax_w, ax_s) = plt.subplots(2, 1, figsize=(7.2, 4.2), dpi=90, sharex=True,
                                     gridspec_kw={"height_ratios": [1, 2]})
    ax_w.plot(t, audio, lw=0.5, color="#1f5fbf")
    ax_w.set_ylim(-1.05, 1.05)
    ax_w.set_ylabel("amplitude")
    ax_w.set_title(title or wav.name, fontsize=10)
    nfft = 512 if rate >= 16000 else 256
    with np.errstate(divide="ignore"):  # silent gaps between clips have zero power
        _, _, _, image = ax_s.specgram(audio, NFFT=nfft, Fs=rate, noverlap=nfft * 3 // 4, cmap="magma", scale="dB")
    finite = np.asarray(image.get_array())
    finite = finite[np.isfinite(finite)]
    if finite.size:
        top = float(finite.max())
        image.set_clim(top - 80.0, top)  # 80 dB of dynamic range below the loudest bin
    ax_s.set_ylabel("frequency (Hz)")
    ax_s.set_xlabel("time (s)")
    fig.colorbar(image, ax=[ax_w, ax_s], label="power (dB)", pad=0.01, fraction=0.04)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def labelled_figure(wav: Path, assets_dir: Path, title: str) -> Path:
    """The waveform + spectrogram figure of ``wav``, regenerated only when ``wav`` changed."""
    out = Path(assets_dir) / "audio" / f"{wav.stem}_waveform_spectrogram.png"
    if is_stale(out, [wav]):
        plot_waveform_and_spectrogram(wav, out, title)
    return out


def audio_report_section(run_dir: Path, assets_dir: Path) -> ReportSection:
    """Per sample step: the strip of all samples (one after another, 0.25 s apart) as a
    player with its labelled figure, and the per-sample spectrogram sheet."""
    groups, thumbnail = [], None
    for step in thin_steps(sample_steps(run_dir)):
        blocks = []
        for path in step.files:
            if path.suffix.lower() == ".wav":
                info = sf.info(str(path))
                figure = labelled_figure(path, assets_dir, f"{step.label}: all samples in a row")
                blocks.append(Audio(path, f"{step.label}: {info.duration:.1f} s at {info.samplerate} Hz", [figure]))
                thumbnail = figure
            elif path.name.endswith("_spectrograms.png"):
                blocks.append(Figure(path, "one spectrogram per sample (0 Hz at the bottom)"))
        groups.append(ReportGroup(step.label, blocks, step.step))
    return ReportSection("Samples (audio)", groups, thumbnail=thumbnail,
                         note="Each player holds every sample of the sheet one after another; the figure shows its first seconds.")
