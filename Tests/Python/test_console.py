"""The web console in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven
by Selenium opens /console on a live server, signs in, sees the model in `models`, a done request in
`requests` and "intact" in `audit`, submits a deletion through the form and sees it reach done. It
saves a screenshot to .build/console.png (CI keeps it as an artifact; the README's is committed).

Without Chromium or its driver the test is skipped, saying so, unless UNLEARN_REQUIRE_BROWSER=1
(CI sets it), which makes their absence a failure.
"""

import os
import pathlib
import shutil
import socket
import subprocess
import time

import httpx
import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
TOKEN = "console-test-token"


def require(condition: bool, reason: str):
    if condition:
        return
    if os.environ.get("UNLEARN_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def server(tmp_path):
    unlearn = os.environ.get("UNLEARN_BINARY") or str(REPOSITORY / ".build" / "release" / "unlearn")
    require(pathlib.Path(unlearn).is_file(), f"no unlearn binary at {unlearn}: run `make build` or set UNLEARN_BINARY")
    store = str(tmp_path / "store.sqlite")
    environment = dict(os.environ, UNLEARN_API_TOKEN=TOKEN, OPENBLAS_NUM_THREADS="1")
    subprocess.run([unlearn, "store", "init", "--store", store], check=True, capture_output=True)
    subprocess.run(
        [unlearn, "train", "--data", str(REPOSITORY / "data" / "breast_cancer.csv"), "--model", "logistic",
         "--strategy", "newton", "--store", store, "--name", "breast-cancer", "--no-progress"],
        check=True, capture_output=True)
    subprocess.run(
        [unlearn, "request", "submit", "--store", store, "--model", "breast-cancer", "--id", "3", "--id", "10",
         "--request-id", "erase-001"], check=True, capture_output=True, env=environment)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [unlearn, "serve", "--store", store, "--port", str(port)], env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def browser():
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    require(pathlib.Path(driver_path).exists() and pathlib.Path(chromium).exists(),
            "no chromium and chromium-driver (apt-get install chromium chromium-driver)")
    os.environ["SE_AVOID_STATS"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1650"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    yield driver
    driver.quit()


def test_console_signs_in_shows_the_store_and_submits_a_deletion(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(server + "/console")
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.ID, "sign-in").click()
    wait.until(ready.text_to_be_present_in_element((By.ID, "models"), "breast-cancer"))
    wait.until(ready.text_to_be_present_in_element((By.ID, "requests"), "done"))
    wait.until(ready.text_to_be_present_in_element((By.ID, "audit-status"), "intact"))
    assert "erase-001" in browser.find_element(By.ID, "requests").text
    assert browser.find_elements(By.CSS_SELECTOR, "#audit tbody tr")

    browser.find_element(By.ID, "delete-ids").send_keys("40, 41")
    browser.find_element(By.ID, "delete-request-id").send_keys("erase-console")
    browser.find_element(By.ID, "delete-submit").click()
    wait.until(ready.text_to_be_present_in_element((By.ID, "delete-answer"), "done"))
    wait.until(ready.text_to_be_present_in_element((By.ID, "requests"), "erase-console"))
    # The page ran under its Content-Security-Policy without a violation.
    errors = [entry for entry in browser.get_log("browser") if "Content Security Policy" in entry.get("message", "")]
    assert not errors, errors
    screenshot = REPOSITORY / ".build" / "console.png"
    screenshot.parent.mkdir(exist_ok=True)
    browser.save_screenshot(str(screenshot))
