"""Headless Chromium driven by selenium for the editor's browser tests (test_editor_browser.py).

`MISSING` says why the tests cannot run here (no chromium, chromedriver or selenium), else None. `Page` wraps
a driver on the editor: it opens a model, waits for the page's own state (the `state` object of editor.js),
reads canvases as uint8 RGBA arrays and plays the user's actions (keys, clicks, file picks, downloads).
"""

import contextlib
import glob
import os
import shutil
import time

import numpy as np
from PIL import Image

try:
  from selenium import webdriver
  from selenium.webdriver.common.by import By
  from selenium.webdriver.common.keys import Keys
  from selenium.webdriver.support.ui import Select
  from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # requirements-test.txt installs it
  webdriver = None

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
CHROMEDRIVER = shutil.which("chromedriver")
MISSING = ("needs selenium (pip install -r requirements-test.txt)" if webdriver is None else
           "needs Chromium and chromedriver (apt-get install -y chromium chromium-driver)"
           if CHROMIUM is None or CHROMEDRIVER is None else None)
SLIDERS = "sliders()"  # editor.js: the slider inputs in page order
TIMEOUT_S = 60


@contextlib.contextmanager
def chromium(download_dir):
  """A headless Chromium whose downloads land in `download_dir`."""
  options = webdriver.ChromeOptions()
  options.binary_location = CHROMIUM
  for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--window-size=1200,900"):
    options.add_argument(argument)
  driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
  try:
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    driver.download_dir = download_dir
    yield driver
  finally:
    driver.quit()


class Page:
  """The editor page in `driver`, served at `base`; screenshots go to `artifacts`."""

  def __init__(self, driver, base, artifacts):
    self.driver, self.base, self.artifacts = driver, base, artifacts

  def js(self, script, *args):
    return self.driver.execute_script(script, *args)

  def wait(self, script):
    """Polls `script` (JavaScript returning a value) until the value is truthy; returns it."""
    try:
      return WebDriverWait(self.driver, TIMEOUT_S, poll_frequency=0.05).until(lambda d: d.execute_script(script))
    except Exception as e:
      error = self.js("return document.getElementById('error').textContent")
      raise AssertionError(f"timed out waiting for {script!r}; page error: {error!r}") from e

  def wait_loaded(self, name):
    """Until model `name` is loaded and its first decode drawn."""
    self.wait(f"return state.model === {name!r} && state.meta !== null && !state.busy && !state.pending && "
              "document.getElementById('edited').width > 1")

  def open(self, name):
    self.driver.get(f"{self.base}/?model={name}")
    self.wait_loaded(name)

  def code(self):
    return self.js("return state.code")

  def pixels(self, canvas):
    """RGBA uint8 [h, w, 4] of a canvas given by id or by a JavaScript expression."""
    element = f"document.getElementById({canvas!r})" if canvas.isidentifier() else canvas
    width, height, data = self.js(f"const c = {element}; return [c.width, c.height, "
                                  "Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)]")
    return np.array(data, np.uint8).reshape(height, width, 4)

  @staticmethod
  def eight_bit(image):
    """What the page's `draw` puts in a canvas for an image [h, w, c] in [0, 1]: RGBA, opaque."""
    levels = np.round(255 * np.clip(np.asarray(image, np.float64), 0, 1))
    rgb = np.repeat(levels, 3, -1) if levels.shape[-1] == 1 else levels
    return np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255.0)], -1)

  def move_first_slider_to_its_end(self):
    """Opens the first slider's section if collapsed, presses End on the slider (Home if it is at its
    maximum); returns its latent."""
    self.js(f"{SLIDERS}[0].closest('details').open || {SLIDERS}[0].closest('details').querySelector('summary')"
            ".click()")
    slider = self.driver.find_element(By.CSS_SELECTOR, "#sliders input")
    code = self.code()
    slider.send_keys(Keys.HOME if self.js(f"return +{SLIDERS}[0].value === +{SLIDERS}[0].max") else Keys.END)
    self.wait(f"return !state.busy && !state.pending && state.code.some((c, i) => c !== {code}[i])")
    return self.js(f"return {SLIDERS}[0].latent")

  def download(self):
    """Clicks Download PNG; returns the saved file's RGBA pixels."""
    for old in glob.glob(os.path.join(self.driver.download_dir, "*")):
      os.remove(old)
    self.click("download")
    deadline = time.time() + TIMEOUT_S
    while time.time() < deadline:
      done = glob.glob(os.path.join(self.driver.download_dir, "*.png"))
      if done and os.path.getsize(done[0]) > 0:
        return np.array(Image.open(done[0]).convert("RGBA"))
      time.sleep(0.05)
    raise AssertionError(f"Download PNG saved nothing in {self.driver.download_dir}")

  def upload(self, input_id, paths):
    self.driver.find_element(By.ID, input_id).send_keys("\n".join(paths))

  def click(self, element_id):
    self.driver.find_element(By.ID, element_id).click()

  def select(self, name):
    Select(self.driver.find_element(By.ID, "model")).select_by_value(name)

  def screenshot(self, name):
    """Saves the whole page (the window stretched to the page's height) as ARTIFACTS/NAME.png."""
    width, height = self.driver.get_window_size()["width"], self.driver.get_window_size()["height"]
    page_height = self.js("window.scrollTo(0, 0); return document.documentElement.scrollHeight")
    self.driver.set_window_size(width, max(height, page_height + 200))  # + the window's own bars
    self.driver.save_screenshot(os.path.join(self.artifacts, f"{name}.png"))
    self.driver.set_window_size(width, height)
