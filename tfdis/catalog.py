"""What tfdis ships, read from the gin tree: model families, paper configurations, datasets, metric suites.

Reading the catalog imports no TensorFlow: it parses the headers of the gin files (their first comment lines,
STYLE.md rule 9), so `python -m tfdis.launch.list` answers at once.
"""

import dataclasses
import pathlib
import re

import tfdis

SECTIONS = ("models", "papers", "datasets", "metrics")
_REQUIRED = re.compile(r"Required:\s*(.*?)(?:\.\s|\.?$)")
_ABBREVIATIONS = ("al", "sec", "e.g", "i.e", "cf", "fig", "eq", "vs", "approx")


@dataclasses.dataclass(frozen=True)
class Entry:
  """One gin file: its path relative to the gin tree, the header's first sentence, and what it requires."""
  path: str
  summary: str
  required: str  # the header's "Required: ..." ("none" when it runs offline as it is; "" if not stated)


def header(path):
  """The leading comment block of a gin file as one line of text."""
  lines = []
  for line in pathlib.Path(path).read_text().splitlines():
    if not line.startswith("#"):
      break
    lines.append(line.lstrip("#").strip())
  return " ".join(line for line in lines if line)


def summary(text, limit=110):
  """The first sentence of `text` (up to '. ' that ends no abbreviation, or 'Required:'), cut to `limit`."""
  first = text.split("Required:", 1)[0]
  for stop in re.finditer(r"\.\s", first):
    word = first[:stop.start()].rsplit(None, 1)[-1].lower().lstrip("(")
    if word not in _ABBREVIATIONS:
      first = first[:stop.start()]
      break
  first = first.strip().rstrip(".")
  return first if len(first) <= limit else first[:limit - 1].rstrip() + "…"


def entry(path, gin_dir):
  text = header(path)
  required = _REQUIRED.search(text)
  return Entry(str(pathlib.Path(path).relative_to(gin_dir)), summary(text),
               required.group(1).strip() if required else "")


def catalog(gin_dir=tfdis.GIN_DIR):
  """{section: [Entry]} for SECTIONS: gin/models, gin/papers/<paper>/<dataset>, gin/datasets, gin/metrics."""
  gin_dir = pathlib.Path(gin_dir)
  folders = {"models": "models", "papers": "papers", "datasets": "datasets", "metrics": "metrics"}
  found = {}
  for section, folder in folders.items():
    files = sorted((gin_dir / folder).rglob("*.gin"))
    found[section] = [entry(path, gin_dir) for path in files]
  return found


def format_catalog(found, metric_names=()):
  """The catalog as text: one block per section, papers grouped by paper."""
  out = []
  for section in (s for s in SECTIONS if s in found):
    out.append(f"{section} (gin/{section}/):")
    previous = None
    for item in found.get(section, []):
      name = item.path.split("/", 1)[1]
      if section == "papers":
        paper, dataset = name.split("/", 1)
        if paper != previous:
          out.append(f"  {paper}:")
          previous = paper
        needs = "" if item.required.lower().startswith("none") or not item.required else f"  [needs: {item.required}]"
        out.append(f"    {dataset:<28} {item.summary}{needs}")
      else:
        out.append(f"  {name:<30} {item.summary}")
    if section == "metrics" and metric_names:
      out.append("  metric names (evaluate.metric_names): " + ", ".join(sorted(metric_names)))
    out.append("")
  return "\n".join(out)
