"""The images plugin passes the shared plugin conformance suite."""

from PIL import Image

from ganforge.testing import PluginConformance


class TestImagesConformance(PluginConformance):
    domain = "images"
    sample_options = {"cgan": ["label=3"], "cgan-concat": ["label=3"], "cyclegan": ["direction=BtoA"], "stylegan2": ["truncation=0.7", "noise=const"]}
    bad_data = [(["data.path=/no/such/images"], "/no/such/images"), (["data.size=12"], "data.size=12")]

    def check_sample_file(self, path):
        with Image.open(path) as im:
            im.load()
            assert im.width >= 16 and im.height >= 16
