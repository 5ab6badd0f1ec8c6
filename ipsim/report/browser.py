"""Headless Chromium over the DevTools protocol: print the report to PDF, and inspect a
page the way a reader's browser shows it (console errors, failed loads, images decoded,
a screenshot).

Chromium is started with ``--remote-debugging-pipe`` (the protocol on file descriptors 3
and 4, no network port), a fresh profile folder, and the switches that keep it from
reaching for the network (a closed network would make it wait on connections): headless,
no sandbox (it runs as root in CI), no GPU, no QUIC, no first-run, background networking,
component updates or sync. Chromium itself is a system package (Debian: ``chromium``); it
is looked for on ``PATH`` (``chromium``, ``chromium-browser``, ``google-chrome``), or named
by the ``IPSIM_CHROMIUM`` environment variable.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["find_chromium", "Browser", "PageCheck", "print_pdf", "INSTALL_HINT",
           "BrowserError", "FLAGS"]

INSTALL_HINT = ("headless Chromium is needed: install it (Debian/Ubuntu: 'apt-get install "
                "chromium') or name its binary in IPSIM_CHROMIUM")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio",
         "--hide-scrollbars", "--no-default-browser-check", "--disable-breakpad",
         "--remote-debugging-pipe")


class BrowserError(RuntimeError):
    """Chromium is missing, failed to start, or did not answer in time."""


def find_chromium() -> str | None:
    """The Chromium binary to use, or None."""
    named = os.environ.get("IPSIM_CHROMIUM", "").strip()
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageCheck:
    """What a browser saw while loading a page."""

    console_errors: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)
    images: int = 0
    images_broken: int = 0
    svgs: int = 0
    svgs_empty: int = 0
    fonts: list[str] = field(default_factory=list)
    screenshot: bytes = b""


class Browser:
    """One headless Chromium, driven over its DevTools pipe; use as a context manager."""

    def __init__(self, timeout: float = 60.0):
        self.timeout = timeout
        self.binary = find_chromium()
        if self.binary is None:
            raise BrowserError(INSTALL_HINT)
        self._id = 0
        self._events: list[dict] = []
        self._inbox: queue.Queue = queue.Queue()

    # -- the process --------------------------------------------------------------------------
    def __enter__(self) -> Browser:
        self._profile = tempfile.mkdtemp(prefix="ipsim-chromium-")
        to_r, self._to_w = os.pipe()
        self._from_r, from_w = os.pipe()
        # the child's ends above 9 (bash reads such fd numbers; dash does not), so that
        # "3<&N 4>&M" never clobbers one with the other
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_r, from_w)]
        for fd in (to_r, from_w):
            os.close(fd)
        to_r, from_w = high
        args = [self.binary, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"]
        # bash puts the two pipe ends on fds 3 and 4, where Chromium expects them
        script = (f"exec {' '.join(shlex.quote(a) for a in args)} 3<&{to_r} 4>&{from_w} "
                  f"{to_r}<&- {from_w}>&-")
        try:
            self._proc = subprocess.Popen(
                [shutil.which("bash") or "/bin/bash", "-c", script], pass_fds=(to_r, from_w),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
        except OSError as exc:
            shutil.rmtree(self._profile, ignore_errors=True)
            raise BrowserError(f"cannot start {self.binary}: {exc.strerror}") from None
        finally:
            os.close(to_r)
            os.close(from_w)
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self.call("Browser.getVersion")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._proc.poll() is None:
                try:
                    self._send("Browser.close")
                    self._proc.wait(timeout=5)
                except (OSError, subprocess.TimeoutExpired):
                    self._proc.kill()
                    self._proc.wait(timeout=5)
        finally:
            for fd in (self._to_w, self._from_r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self._profile, ignore_errors=True)

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_r, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._inbox.put(None)
                return
            buf += chunk
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                self._inbox.put(json.loads(msg))

    def _send(self, method: str, params: dict | None = None, session: str | None = None
              ) -> int:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_w, json.dumps(msg).encode() + b"\0")
        return self._id

    def _next(self, deadline: float) -> dict:
        try:
            msg = self._inbox.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            raise BrowserError(f"Chromium did not answer within {self.timeout:.0f} s") from None
        if msg is None:
            raise BrowserError("Chromium exited unexpectedly")
        return msg

    def call(self, method: str, params: dict | None = None, session: str | None = None
             ) -> dict:
        """Send a command and return its result (events that arrive meanwhile are kept)."""
        mid = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._next(deadline)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            self._events.append(msg)

    def wait_event(self, method: str, session: str | None = None) -> dict:
        deadline = time.monotonic() + self.timeout
        seen = 0
        while True:
            for ev in self._events[seen:]:
                if ev.get("method") == method and ev.get("sessionId") == session:
                    return ev
            seen = len(self._events)
            self._events.append(self._next(deadline))

    # -- pages ------------------------------------------------------------------------------
    def open(self, path: str | Path, width: int = 1200, height: int = 900) -> str:
        """Load the file ``path`` in a new tab; returns the tab's session id once loaded."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=session)
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                         "deviceScaleFactor": 1,
                                                         "mobile": False}, session)
        self.call("Page.navigate", {"url": Path(path).resolve().as_uri()}, session)
        self.wait_event("Page.loadEventFired", session)
        return session

    def evaluate(self, expression: str, session: str):
        result = self.call("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True,
                                                "awaitPromise": True}, session)
        return result.get("result", {}).get("value")

    def platform_fonts(self, session: str, selector: str) -> list[str]:
        """The families of the fonts the browser drew the first element matching
        ``selector`` with (the installed fonts it really used, after fallback)."""
        self.call("DOM.enable", session=session)
        self.call("CSS.enable", session=session)
        root = self.call("DOM.getDocument", session=session)["root"]["nodeId"]
        node = self.call("DOM.querySelector", {"nodeId": root, "selector": selector},
                         session)["nodeId"]
        fonts = self.call("CSS.getPlatformFontsForNode", {"nodeId": node}, session)["fonts"]
        return [f["familyName"] for f in fonts]

    def pdf(self, session: str) -> bytes:
        result = self.call("Page.printToPDF", {"printBackground": True,
                                               "preferCSSPageSize": True,
                                               "displayHeaderFooter": False}, session)
        return base64.b64decode(result["data"])

    def check(self, path: str | Path) -> PageCheck:
        """Load ``path`` and report what a reader's browser would show wrong."""
        session = self.open(path)
        out = PageCheck()
        state = self.evaluate(
            "(async () => { await document.fonts.ready; "
            "const imgs = Array.from(document.images); "
            "await Promise.all(imgs.map(i => i.decode().catch(() => null))); "
            "const svgs = Array.from(document.querySelectorAll('svg.figure')); "
            "const fonts = new Set(); document.fonts.forEach(f => fonts.add(f.family)); "
            "return {images: imgs.length, "
            "broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length, "
            "svgs: svgs.length, "
            "empty: svgs.filter(s => { const b = s.getBoundingClientRect(); "
            "return !(b.width > 10 && b.height > 10); }).length, "
            "fonts: Array.from(fonts)}; })()", session) or {}
        out.images, out.images_broken = state.get("images", 0), state.get("broken", 0)
        out.svgs, out.svgs_empty = state.get("svgs", 0), state.get("empty", 0)
        out.fonts = state.get("fonts", [])
        shot = self.call("Page.captureScreenshot", {"format": "png"}, session)
        out.screenshot = base64.b64decode(shot["data"])
        for ev in self._events:
            if ev.get("sessionId") != session:
                continue
            method, p = ev.get("method"), ev.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.console_errors.append(" ".join(str(a.get("value", a.get("description")))
                                                   for a in p.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                details = p.get("exceptionDetails", {})
                out.console_errors.append(str(details.get("exception", {}).get(
                    "description") or details.get("text")))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.console_errors.append(p["entry"].get("text", ""))
            elif method == "Network.loadingFailed":
                out.failed_loads.append(f"{p.get('errorText')} {p.get('blockedReason', '')}")
        return out


def print_pdf(html_path: str | Path, timeout: float = 60.0) -> bytes:
    """The PDF that Chromium prints of the HTML file ``html_path`` (its print style sheet,
    A4, backgrounds)."""
    with Browser(timeout) as browser:
        return browser.pdf(browser.open(html_path))
