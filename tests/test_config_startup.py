"""Start-up cost of composition: Hydra's repository copies share the ConfigStore, safely."""

from __future__ import annotations

import copy

from hydra.core.config_store import ConfigStore

from ganforge import compose_config

# tests/conftest.py skips the module when the graphs plugin is not installed
PLUGINS = ("graphs",)


def test_config_store_is_shared_by_deep_copies_and_stored_configs_stay_unchanged():
    cfg = compose_config(["domain=graphs", "model=cell", "model.rank=3"])
    assert cfg.model.rank == 3
    store = ConfigStore.instance()
    assert copy.deepcopy(store) is store  # no copy of every plugin config per repository
    # an override in one composition must not leak into the stored config the next one reads
    again = compose_config(["domain=graphs", "model=cell"])
    assert again.model.rank != 3
    assert again.model.rank == compose_config(["domain=graphs", "model=cell"]).model.rank
