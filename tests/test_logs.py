"""Quiet logs: TensorFlow's C++ noise filtered from stderr, everything else kept, errors as one line."""

import subprocess
import sys
import textwrap

import pytest

import tfdis
from tfdis import logs

# Lines captured from `python -m tfdis.launch.train` on this machine (TF 2.21, no GPU driver).
NOISE = [
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    b"I0000 00:00:1796236030.463953   18925 port.cc:153] oneDNN custom operations are on.",
    b"I0000 00:00:1796236030.464285   18925 cudart_stub.cc:31] Could not find cuda drivers on your machine.",
    b"To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with "
    b"the appropriate compiler flags.",
    b"E0000 00:00:1796236039.396292   18925 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error",
    b"I0000 00:00:1796236042.916497   19079 device_compiler.h:208] Compiled cluster using XLA!  This line is "
    b"logged at most once for the lifetime of the process.",
    b"W0000 00:00:1796236043.341218   18925 dataset.cc:997] Input of GeneratorDatasetOp::Dataset will not be",
    b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",  # from `python -m tfdis.launch.quickstart`
]
KEPT = [
    b"train.py: error: Bad gin binding 'BETTA = 3.0': Did you mean BETA?",
    b"W1202 18:27:19.397077 139797702261632 train_lib.py:55] Checkpoint ckpt-4 is damaged: skipped.",
    b"E0000 00:00:1796236039.396292   18925 op_kernel.cc:1830] OP_REQUIRES failed: out of memory",
    b"Traceback (most recent call last):",
]


def test_keep_drops_the_cpp_noise_and_keeps_python_logs_errors_and_messages():
  assert [logs.keep(line) for line in NOISE] == [None] * len(NOISE)
  assert [logs.keep(line) for line in KEPT] == KEPT


def test_keep_cuts_a_cpp_line_glued_after_a_progress_bar_update():
  line = b"\r  0%|          | 0/2 [00:00<?, ?step/s]" + NOISE[1]
  assert logs.keep(line) == b"\r  0%|          | 0/2 [00:00<?, ?step/s]"


def test_verbose_requested_reads_the_flag_before_absl_and_the_environment(monkeypatch):
  monkeypatch.delenv("TFDIS_VERBOSE", raising=False)
  assert logs.verbose_requested(["x", "--model_dir=/tmp/a", "--verbose"])
  assert not logs.verbose_requested(["x", "--noverbose"])
  assert not logs.verbose_requested(["x"])
  monkeypatch.setenv("TFDIS_VERBOSE", "1")
  assert logs.verbose_requested(["x"]) and not logs.verbose_requested(["x", "--verbose=false"])


_WRITER = textwrap.dedent("""
    import os, sys
    from tfdis import logs
    logs.init(sys.argv)
    for line in {lines!r}:
      os.write(2, line + b"\\n")  # as the C++ runtime writes: straight to file descriptor 2
    print("python line", file=sys.stderr)
    os.write(2, b"\\r 50%|#####     | 1/2")  # a progress bar's update, no newline
    sys.exit("the last message")
""")


def _write_through_filter(*flags):
  code = _WRITER.format(lines=NOISE + KEPT)
  return subprocess.run([sys.executable, "-c", code, *flags], capture_output=True, timeout=60, cwd=tfdis.ROOT,
                        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tfdis.ROOT)})


def test_filter_passes_everything_but_the_noise_and_flushes_at_exit():
  done = _write_through_filter()
  assert done.returncode == 1
  expected = b"\n".join(KEPT) + b"\npython line\n\r 50%|#####     | 1/2the last message\n"
  assert done.stderr == expected


def test_verbose_leaves_stderr_untouched():
  done = _write_through_filter("--verbose")
  assert done.stderr.count(b"\n") == len(NOISE) + len(KEPT) + 2


@pytest.mark.slow  # imports TensorFlow in a subprocess: 10-30 s
def test_a_failing_train_prints_one_line_without_noise_or_flag_dump(tmp_path):
  done = subprocess.run(
      [sys.executable, "-m", "tfdis.launch.train", "--gin_file=papers/beta_vae/shapes2d.gin",
       f"--model_dir={tmp_path / 'run'}", "--gin_param=BETTA = 3.0"],
      capture_output=True, text=True, timeout=300, cwd=tmp_path, env={"PATH": "/usr/bin:/bin",
                                                                     "PYTHONPATH": str(tfdis.ROOT)})
  assert done.returncode == 1
  assert done.stderr.splitlines() == [done.stderr.strip()], done.stderr
  assert done.stderr.startswith("train.py: error: Bad gin binding 'BETTA = 3.0'")
  assert "Did you mean BETA?" in done.stderr
