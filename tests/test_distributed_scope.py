"""ganforge.distributed: rank 0's evaluation scope turns off torchmetrics' cross-rank sync,
and the built-in plugins' metrics consult it."""

import torch
from torchmetrics import MeanMetric

from ganforge.distributed import distributed_available, local_only


def test_local_only_hides_the_process_group_from_metric_sync(tmp_path):
    torch.distributed.init_process_group("gloo", init_method=f"file://{tmp_path / 'pg'}", rank=0, world_size=1)
    try:
        metric = MeanMetric(distributed_available_fn=distributed_available)  # as the plugins build theirs
        assert distributed_available()
        metric.update(torch.tensor([1.0, 3.0]))
        with local_only():
            assert not distributed_available()
            assert torch.distributed.is_initialized()  # torch itself is left alone
            metric.sync()  # nothing to gather: the metric stays unsynced
            assert not metric._is_synced
            assert float(metric.compute()) == 2.0
        assert distributed_available()
    finally:
        torch.distributed.destroy_process_group()


def test_plugin_metrics_consult_the_scope():
    import pytest

    pytest.importorskip("ganforge_images")
    from ganforge_images.metrics.paired import PairedMetrics

    metrics = PairedMetrics()
    assert metrics.l1.distributed_available_fn is distributed_available
    assert metrics.ssim.distributed_available_fn is distributed_available
    assert MeanMetric().distributed_available_fn is not distributed_available  # torchmetrics' default untouched
