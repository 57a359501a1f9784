"""`tfdis.catalog` and `python -m tfdis.launch.list`: what tfdis ships, read from the gin headers."""

import pathlib
import subprocess
import sys

import tfdis
from tfdis import catalog


def test_summary_is_the_first_sentence_past_abbreviations():
  assert catalog.summary("LORD (Gabbay et al. 2020, sec. 4) on glyphs. More text. Required: none.") == (
      "LORD (Gabbay et al. 2020, sec. 4) on glyphs")
  assert catalog.summary("One line only: no stop Required: x") == "One line only: no stop"
  long = catalog.summary("word " * 60, limit=20)
  assert len(long) == 20 and long.endswith("…")


def test_header_stops_at_the_first_non_comment_line(tmp_path):
  path = tmp_path / "x.gin"
  path.write_text("# First line\n#   second line.\ninclude 'a.gin'\n# not the header\n")
  assert catalog.header(path) == "First line second line."


def test_every_gin_file_is_listed_with_its_requirement():
  found = catalog.catalog()
  for section in catalog.SECTIONS:
    on_disk = sorted(str(p.relative_to(tfdis.GIN_DIR)) for p in (tfdis.GIN_DIR / section).rglob("*.gin"))
    assert [e.path for e in found[section]] == on_disk and on_disk, section
  papers = {e.path: e for e in found["papers"]}
  assert papers["papers/beta_vae/shapes2d.gin"].required.lower().startswith("none")
  assert "dsprites" in papers["papers/orojar/dsprites.gin"].required
  assert all(e.summary for e in found["papers"])


def test_needs_marks_exactly_the_configs_with_data_to_provide():
  found = catalog.catalog()
  text = catalog.format_catalog({"papers": found["papers"]})
  marked = [line.split()[0] for line in text.splitlines() if "[needs:" in line]
  expected = [e.path.rsplit("/", 1)[1] for e in found["papers"]
              if e.required and not e.required.lower().startswith("none")]
  assert marked == expected and "celeba.gin" in marked and "glyphs.gin" not in marked


def test_list_command_prints_papers_and_metric_names():
  done = subprocess.run([sys.executable, "-m", "tfdis.launch.list"], capture_output=True, text=True,
                        timeout=300, cwd=pathlib.Path(tfdis.ROOT))
  assert done.returncode == 0, done.stderr
  assert "papers (gin/papers/):" in done.stdout and "  orojar:" in done.stdout
  assert "metric names (evaluate.metric_names):" in done.stdout and " mig," in done.stdout
