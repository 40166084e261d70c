"""Bad configuration values: for each domain at least 10 bad values, each a one-line
error naming the key, the value and what was expected -- checked before anything is
created (``gan-run`` composes and validates every job first; see ganforge.schema).

Most cases run in-process through the same function ``gan-run`` calls
(:func:`ganforge.cli.validation.validate_command`); a sample per domain runs through
the real ``gan-run`` to show the exit status, the single stderr line and that no run
directory appears.
"""

from __future__ import annotations

import pytest

from ganforge import GanforgeError
from ganforge._internal.config import register_plugin_search_path
from ganforge.cli.arguments import prepare_overrides
from ganforge.cli.validation import validate_command

#: built-in domains these tests run (tests/conftest.py skips them when one is not installed)
PLUGINS = ("images", "audio", "midi", "graphs", "poetry", "oracle", "molecules")

#: (override, text the one-line error must contain) valid in every domain
COMMON = [
    ("trainer.max_steps=abc", "trainer.max_steps='abc': expected an integer >= 1 or null"),
    ("trainer.max_steps=-5", "trainer.max_steps=-5: expected an integer >= 1"),
    ("trainer.max_steps=0", "trainer.max_steps=0: expected an integer >= 1"),
    ("data.batch_size=-1", "data.batch_size=-1: expected an integer >= 1"),
    ("data.batch_size=abc", "data.batch_size='abc'"),
    ("optim.lr_g=-1", "optim.lr_g=-1: expected a number > 0"),
    ("optim.lr_d=nan", "optim.lr_d=nan: expected a number > 0"),
    ("optim.name=adamm", "optim.name='adamm': expected one of adam, adamw, rmsprop, sgd"),
    ("run.checkpoint_every=-3", "run.checkpoint_every=-3: expected an integer >= 0"),
    ("run.sample_every=often", "run.sample_every='often'"),
    ("ema.decay=1.5", "ema.decay=1.5: expected a number >= 0 and <= 1"),
    ("trainer.precision=17", "trainer.precision=17: expected one of"),
    ("trainer.accelerator=gpux", "trainer.accelerator='gpux': expected one of"),
    ("seed=-1", "config.seed=-1"),
    ("+model.lattent_dim=8", "+model.lattent_dim: unknown key"),
    ("trainer.max_stepz=3", "trainer.max_stepz: unknown key; did you mean trainer.max_steps?"),
    ("+run.sampel_every=3", "run.sampel_every: unknown key; did you mean run.sample_every?"),
    ("run.monitor_mode=lowest", "run.monitor_mode='lowest': expected one of min, max"),
    ("run.on_nonfinite=ignore", "run.on_nonfinite='ignore': expected one of stop, skip"),
]

#: per-domain values
DOMAIN = {
    "images": [("data.size=abc", "data.size='abc': expected an integer >= 8"), ("data.size=4", "data.size=4"),
               ("data.format=png", "data.format='png': expected one of auto, folder, idx, npz"),
               ("data.channels=2", "data.channels=2: expected one of auto, 1, 3"),
               ("metrics.n_samples=0", "metrics.n_samples=0"), ("metrics.feature_net=vgg", "metrics.feature_net='vgg'"),
               ("model.augment_p=2", "model.augment_p=2"),
               ("data.cache=disk", "data.cache='disk': expected one of auto, none, memory"),
               ("data.load_size=4", "data.load_size=4: expected an integer >= 8 or null"),
               ("+model.mbstd_group=1", "model.mbstd_group=1: expected an integer >= 2")],
    "audio": [("data.sample_rate=0", "data.sample_rate=0: expected an integer >= 1000"),
              ("data.window=abc", "data.window='abc'"), ("data.slicing=middle", "data.slicing='middle': expected one of"),
              ("data.normalize=rms", "data.normalize='rms': expected one of none, peak"),
              ("model.d=0", "model.d=0"), ("model.phase_shuffle=-1", "model.phase_shuffle=-1"),
              ("model.mbstd_group=-1", "model.mbstd_group=-1: expected an integer >= 0"),
              ("model.spec_critic=-1", "model.spec_critic=-1: expected an integer >= 0"),
              ("model.pack=0", "model.pack=0: expected an integer >= 1"),
              ("model.augment_p=1.5", "model.augment_p=1.5: expected a number >= 0 and <= 1"),
              ("model.upsample_last=linear", "model.upsample_last='linear': expected one of transpose, nearest or null")],
    "graphs": [("data.val_fraction=1.5", "data.val_fraction=1.5"), ("data.p=0", "data.p=0: expected a number > 0"),
               ("data.max_nodes=1", "data.max_nodes=1"), ("model.walk_length=1", "model.walk_length=1")],
    "poetry": [("data.max_len=0", "data.max_len=0"), ("data.too_long=cut", "data.too_long='cut': expected one of skip, truncate"),
               ("data.lines=abc", "data.lines='abc'"), ("data.test_fraction=2", "data.test_fraction=2")],
    "oracle": [("data.vocab_size=1", "data.vocab_size=1"), ("data.seq_len=abc", "data.seq_len='abc'"),
               ("data.num_train=0", "data.num_train=0")],
    "midi": [("data.tokenizer=abc", "data.tokenizer='abc': expected one of melody88, events"),
             ("data.max_seconds=0", "data.max_seconds=0"), ("data.test_fraction=-1", "data.test_fraction=-1")],
    "molecules": [("model.organ.lambda=1.5", "model.organ.lambda=1.5: expected a number >= 0 and <= 1"),
                  ("model.organ.objective=potency", "model.organ.objective='potency': expected one of qed, logp, sa, validity"),
                  ("model.organ.invalid=zero", "model.organ.invalid='zero': expected one of total, objective"),
                  ("model.organ.pg_lr=0", "model.organ.pg_lr=0: expected a number > 0 or null"),
                  ("data.test_fraction=2", "data.test_fraction=2: expected a number > 0 and <= 0.9"),
                  ("data.max_tokens=1", "data.max_tokens=1: expected an integer >= 2 or null"),
                  ("metrics.fcd=maybe", "metrics.fcd='maybe': expected true or false")],
}

#: overrides every case of a domain adds (molecules: the ORGAN model, whose model.organ is checked)
EXTRA = {"molecules": ["model=organ"]}

# every common value on images; a rotating share of them elsewhere (the check is the
# same core code; each domain still gets at least 10 bad values)
CASES = [(d, o, e) for i, d in enumerate(DOMAIN) for o, e in
         [*(COMMON if d == "images" else COMMON[i % 3::3] + COMMON[:3]), *DOMAIN[d]]]


@pytest.fixture(scope="module", autouse=True)
def _plugins():
    register_plugin_search_path()


@pytest.mark.parametrize("domain,override,expected", CASES, ids=[f"{d}-{o}" for d, o, _ in CASES])
def test_bad_value_is_one_line_naming_key_and_expectation(domain, override, expected):
    with pytest.raises(GanforgeError) as err:
        validate_command(prepare_overrides([f"domain={domain}", *EXTRA.get(domain, []), override]), multirun=False)
    message = str(err.value)
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize("domain", sorted(DOMAIN))
def test_domain_default_config_validates(domain):
    validate_command(prepare_overrides([f"domain={domain}"]), multirun=False)
    validate_command(prepare_overrides([f"domain={domain}", "debug=smoke"]), multirun=False)


def test_every_sweep_job_is_checked():
    with pytest.raises(GanforgeError, match=r"optim.lr_g=-1: expected a number > 0 \(sweep job: .*model=dcgan optim.lr_g=-1\)"):
        validate_command(prepare_overrides(["domain=images", "model=dcgan,wgan-gp", "optim.lr_g=1e-4,-1"]), multirun=True)


@pytest.mark.parametrize("domain,override", [
    ("images", "data.size=abc"), ("audio", "trainer.max_steps=-5"), ("graphs", "data.p=0"),
    ("poetry", "+model.lattent_dim=8"), ("midi", "data.tokenizer=abc"), ("oracle", "optim.lr_g=-1"),
    ("molecules", "model.organ.lambda=1.5"),
])
def test_gan_run_rejects_before_creating_anything(run_cli, tmp_path, domain, override):
    res = run_cli("gan-run", f"domain={domain}", *EXTRA.get(domain, []), override, cwd=tmp_path)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gan-run: error: ") and override.split("=")[0].lstrip("+") in lines[0]
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "outputs").exists() or not any((tmp_path / "outputs").rglob("*.json"))
