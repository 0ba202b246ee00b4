"""The report notebook's kernel, started at once and warmed up while papermill is still being imported.

Papermill would start the kernel only after its own imports (seconds). Started
here, the kernel boots and imports the library (pandas, Altair) on the other
core meanwhile, so that the notebook's first cell finds it ready.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ictanalysis.errors import DiskFullError, ReportError, is_disk_full
from ictanalysis.outputs import ReportFolder
from ictanalysis.startup import SKIP_IN_KERNEL

__all__ = ["WarmKernel"]

# Imported by the kernel as soon as it starts, while this process is still importing papermill:
# the modules the report notebook's first cells need (pandas and Altair among them).
_WARM_UP = f"{SKIP_IN_KERNEL}\nimport ictanalysis as ict\nimport ictanalysis.view\nict.open_report, ict.compare, ict.read_indicators"


class WarmKernel:
    """The notebook's kernel, started at once and importing the library while this process imports papermill.

    Papermill would start the kernel only after its own imports (seconds). Started here,
    the kernel boots and imports pandas and Altair on the other core meanwhile: a thread
    waits until the kernel answers, sends the import (silent: no execution count, no
    output in the notebook) and waits for it to finish. :meth:`ready` joins that thread
    and hands the manager to papermill; nbclient then finds an idle, warm kernel. (A
    request sent before the kernel answers can be lost, and a kernel still busy when
    nbclient connects can miss nbclient's start-up handshake: hence the thread.)

    The kernel's own log lines go to ``kernel.log`` in the staging folder, not to the
    terminal (appended: a second kernel's follow the first's). A kernel that dies before
    it answers is noticed within a second, not after the warm-up's two minutes. Leaving
    the block stops the kernel, whatever happened.
    """

    def __init__(self, staging: Path, cwd: Path) -> None:
        self.staging, self.cwd = staging, cwd
        self.manager = None
        self._clients: list = []
        self._thread = threading.Thread(target=self._warm_up, daemon=True)
        self._stop = threading.Event()

    def __enter__(self) -> WarmKernel:
        """Start the kernel and its warm-up.

        Raises:
            ReportError: the kernel could not be started (its program is missing, or refused to start).
            DiskFullError: its log could not be opened on a full disk.
        """
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        clients = self._clients

        class Manager(AsyncKernelManager):
            """Remembers its clients: nbclient leaves a kernel's channels open when it did not start the kernel."""

            def client(self, **kwargs):
                clients.append(super().client(**kwargs))
                return clients[-1]

        self.manager = Manager(kernel_name="python3")
        log_file = ReportFolder(self.staging).kernel_log
        try:
            with open(log_file, "ab") as log:
                run_sync(self.manager.start_kernel)(cwd=str(self.cwd), stdout=log, stderr=log,
                                                    extra_arguments=["--HistoryManager.hist_file=:memory:"])  # fmt: skip
        except (OSError, RuntimeError, KeyError) as exc:  # no such program or kernel, or it refused to start
            if isinstance(exc, OSError) and is_disk_full(exc):
                raise DiskFullError(log_file) from None
            raise ReportError(f"the notebook kernel failed to start: {type(exc).__name__}: {exc}") from None
        self._thread.start()
        return self

    def _warm_up(self) -> None:
        from jupyter_client.blocking import BlockingKernelClient

        client = BlockingKernelClient()
        client.load_connection_info(self.manager.get_connection_info())  # with the key: messages are signed
        client.start_channels()
        deadline = time.monotonic() + _WARM_UP_SECONDS
        try:
            while not self._answered(client):  # in steps of a second, so that ready() can stop it
                if self._stop.is_set() or time.monotonic() > deadline:
                    return
            request = client.execute(_WARM_UP, silent=True, store_history=False)
            while not self._stop.is_set() and time.monotonic() < deadline:
                if self._reply(client, request):
                    return
        except Exception:  # noqa: BLE001, S110 - a warm-up that failed only costs time: the notebook's first cell imports again and reports
            pass
        finally:
            client.stop_channels()

    @staticmethod
    def _answered(client) -> bool:
        try:
            client.wait_for_ready(timeout=1)
        except RuntimeError:  # no answer within the second
            return False
        return True

    @staticmethod
    def _reply(client, request: str) -> bool:
        from queue import Empty

        try:
            return client.get_shell_msg(timeout=1)["parent_header"].get("msg_id") == request
        except Empty:
            return False

    def alive(self) -> bool:
        """Return whether the kernel's process is running."""
        from jupyter_core.utils import run_sync

        return bool(run_sync(self.manager.is_alive)())

    def ready(self):
        """Return the kernel manager once the kernel has imported the library, given up trying, or died."""
        deadline = time.monotonic() + _WARM_UP_SECONDS
        while self._thread.is_alive() and time.monotonic() < deadline and self.alive():
            self._thread.join(0.2)
        self._stop.set()
        return self.manager

    def __exit__(self, *exc_info: object) -> None:
        from jupyter_core.utils import run_sync

        self._stop.set()
        self._thread.join(_WARM_UP_SECONDS)
        for client in self._clients:
            client.stop_channels()
        run_sync(self.manager.shutdown_kernel)(now=True)


_WARM_UP_SECONDS = 120
