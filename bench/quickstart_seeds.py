r"""The quick start over seeds 0, 1, 2: the MIG/SAP range `quickstart_lib.EXPECTED` prints beside a run's values.

    python bench/quickstart_seeds.py [--seeds=0,1,2] [--out=/tmp/quickstart_seeds]   # ≈ 1 min per seed, 2 cores

Each seed is one `quickstart_lib.run` (gin/quickstart.gin as shipped: train, gin/metrics/quick.gin, export) in
OUT/seed_N, run one after the other so that the wall times are comparable. Prints per seed the train/total
seconds, MIG, SAP, modularity and the per-latent activity, then each metric's range, and the traversal
picture of each seed (OUT/seed_N/traversal.png), side by side in OUT/traversals.png. Record the range in `quickstart_lib.EXPECTED`, the README and
bench/BENCHMARKS.md.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app  # pylint: disable=g-import-not-at-top
from absl import flags  # pylint: disable=g-import-not-at-top

from PIL import Image  # pylint: disable=g-import-not-at-top
from PIL import ImageDraw  # pylint: disable=g-import-not-at-top

from tfdis.launch import quickstart_lib  # pylint: disable=g-import-not-at-top

_SEEDS = flags.DEFINE_list("seeds", ["0", "1", "2"], "Training seeds.")
_OUT = flags.DEFINE_string("out", "/tmp/quickstart_seeds", "Output folder (one run per seed).")
KEYS = ("mig", "sap", "modularity")


def side_by_side(rows, path, gap=8, title_height=14):
  """Writes the seeds' traversal pictures side by side at `path`, each under a title naming its seed and MIG."""
  pictures = [Image.open(row["traversal"]).convert("L") for row in rows]
  canvas = Image.new("L", (sum(p.width for p in pictures) + gap * (len(pictures) - 1),
                           title_height + max(p.height for p in pictures)), 255)
  draw, left = ImageDraw.Draw(canvas), 0
  for row, picture in zip(rows, pictures):
    draw.text((left + 2, 1), f"seed {row['seed']}: MIG {row['mig']:.2f}, SAP {row['sap']:.2f}", fill=0)
    canvas.paste(picture, (left, title_height))
    left += picture.width + gap
  canvas.save(path)


def main(argv):
  del argv
  rows = []
  for seed in map(int, _SEEDS.value):
    model_dir = os.path.join(_OUT.value, f"seed_{seed}")
    started = time.monotonic()
    artifacts = quickstart_lib.run(model_dir, seed=seed, out=lambda line: None)
    with open(artifacts["results"]) as f:
      results = json.load(f)
    values = {k: v for m in results["metrics"].values() for k, v in m.items()}
    activity = results["latents"]["activity"]
    rows.append({"seed": seed, "seconds": time.monotonic() - started, **{k: values[k] for k in KEYS},
                 "activity": activity, "traversal": artifacts["traversal"]})
    print(f"seed {seed}: {rows[-1]['seconds']:.0f} s  " + "  ".join(f"{k} {values[k]:.3f}" for k in KEYS) +
          "  activity " + " ".join(f"{a:.3f}" for a in activity) + f"  {artifacts['traversal']}", flush=True)
  for key in KEYS:
    values = [row[key] for row in rows]
    print(f"{key}: {min(values):.3f}-{max(values):.3f} over seeds {_SEEDS.value}")
  with open(os.path.join(_OUT.value, "seeds.json"), "w") as f:
    json.dump(rows, f, indent=1)
  side_by_side(rows, os.path.join(_OUT.value, "traversals.png"))
  print(f"traversals of every seed: {os.path.join(_OUT.value, 'traversals.png')}")


if __name__ == "__main__":
  app.run(main)
