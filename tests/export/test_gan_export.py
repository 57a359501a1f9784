"""The GAN family's export: a 2-step gin run resumed and exported, SeFa through the SavedModel, the editor."""

import json
import os
import shutil
import subprocess
import threading

import numpy as np
import pytest
import tensorflow as tf

from tfdis import signatures as signatures_lib
from tfdis.export import editor_page
from tfdis.export import export_lib
from tfdis.export import serve_lib
from tests.support.exports import assert_load_export_matches
from tfdis import editing
from tfdis import ROOT
from tfdis.launch import train_lib

CONFIG = ["gin/papers/gan/shapes2d.gin", "gin/tests/gan.gin"]
BINDINGS = ["TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 2", "PENALTY = 'orthogonal_jacobian'",
            "PENALTY_WEIGHT = 1e-3"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
  """(the resumed 3-step model, the export result) of an OroJaR-penalized simple GAN."""
  model_dir = str(tmp_path_factory.mktemp("gan_run"))
  model = train_lib.run(CONFIG, BINDINGS, model_dir)
  assert (int(model.optimizer.iterations), int(model.d_optimizer.iterations)) == (2, 2)
  resumed = train_lib.run(CONFIG, BINDINGS[1:] + ["TRAIN_STEPS = 3"], model_dir)
  export_dir = str(tmp_path_factory.mktemp("gan_export") / "gan" / "1")
  return resumed, export_lib.export_model(model_dir, export_dir)


def test_the_run_resumes_both_optimizers_with_the_papers_schedule(exported):
  model, _ = exported
  assert (int(model.optimizer.iterations), int(model.d_optimizer.iterations)) == (3, 3)
  schedule = model.optimizer._learning_rate  # pylint: disable=protected-access
  assert schedule.initial_learning_rate == 2e-4 and model.d_optimizer.beta_1 == 0.5
  assert model.d_optimizer._learning_rate.get_config() == schedule.get_config()  # pylint: disable=protected-access
  assert model.optimizer.epsilon == model.d_optimizer.epsilon == 1e-8


def test_export_serves_sefa_as_the_editing_library_computes_it(exported):
  model, result = exported
  assert result["signatures"] == ["generate", "decode", "traverse", "sefa_traverse"]
  loaded = tf.saved_model.load(result["export_dir"])
  z = tf.random.stateless_normal([1, 3], seed=[4, 4])
  out = loaded.signatures["sefa_traverse"](codes=z, directions_index=tf.constant([1]),
                                           values=tf.constant([[-1.0, 2.0]]))["images"]
  directions, _ = editing.sefa_directions(editing.first_layer_weight(model.generator))
  expected = editing.sefa_traverse(model.decode, z[0], directions, 1, [-1.0, 2.0])
  np.testing.assert_allclose(out[0], expected, atol=1e-5)
  family = signatures_lib.family_for(model)
  assert family.name == "regularized_gan" and "no encoder" in family.signatures[0].doc
  assert_load_export_matches(result["export_dir"], "regularized_gan")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the editor page's script")
def test_editor_decodes_through_the_api_and_hides_upload(exported, tmp_path):
  """The web editor on a GAN export: sliders decode through the API, image upload is hidden (no encode)."""
  _, result = exported
  server = serve_lib.make_server(os.path.dirname(os.path.dirname(result["export_dir"])), port=0)
  threading.Thread(target=server.serve_forever, daemon=True).start()
  try:
    (tmp_path / "page.js").write_text(editor_page.render(["gan"]).split("<script>")[1].split("</script>")[0])
    driver = os.path.join(ROOT, "tests", "export", "editor_driver.js")
    host, port = server.server_address[:2]
    done = subprocess.run(["node", driver, f"http://{host}:{port}", str(tmp_path / "page.js")],
                          capture_output=True, text=True, timeout=120)
  finally:
    server.shutdown()
    server.server_close()
  assert done.returncode == 0, done.stderr
  states = [json.loads(line) for line in done.stdout.splitlines()]
  assert [s["error"] for s in states] == ["", ""] and [s["upload_hidden"] for s in states] == [True, True]
  assert len(states[1]["sliders"]) == 3 and states[1]["sliders"][0] == 1.5
