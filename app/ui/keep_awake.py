"""Keep the display on while a lesson is presented, so the projector does not go black mid-lesson.

On battery, Windows blanks the screen after a few minutes and Linux desktops start their screen
saver. While the wall is shown Kurslotse asks the system not to:

* Windows: ``SetThreadExecutionState(ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED)``,
  released with ``ES_CONTINUOUS`` alone;
* Linux and other freedesktop systems: ``org.freedesktop.ScreenSaver.Inhibit`` on the session
  D-Bus, released with ``UnInhibit``.

Both requests end with the process, so a crash cannot leave the display locked on. When neither
is available (no session bus, no screen saver service) presenting simply goes on without it.
"""

from __future__ import annotations

import logging

from app import platform

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.ScreenSaver"
OBJECT_PATH = "/org/freedesktop/ScreenSaver"
ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001
ES_DISPLAY_REQUIRED = 0x00000002


class DisplayKeeper:
    """``hold()`` when the presentation starts, ``release()`` when it ends (both may be called twice)."""

    def __init__(self, application: str = "Kurslotse") -> None:
        self.application = application
        self._held = None  # (bus connection, address, cookie) while the screen saver is inhibited
        self._windows_held = False

    @property
    def holding(self) -> bool:
        return self._windows_held or self._held is not None

    def hold(self, reason: str = "Präsentation läuft") -> bool:
        """Ask the system to keep the display on; returns whether it agreed."""
        if self.holding:
            return True
        if platform.IS_WINDOWS:
            self._windows_held = _windows_state(ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED)
            return self._windows_held
        self._held = _inhibit(self.application, reason)
        return self._held is not None

    def release(self) -> None:
        if self._windows_held:
            _windows_state(ES_CONTINUOUS)
            self._windows_held = False
        if self._held is not None:
            _uninhibit(self._held)
            self._held = None


def _windows_state(flags: int) -> bool:
    import ctypes

    try:
        previous = ctypes.windll.kernel32.SetThreadExecutionState(ctypes.c_uint(flags))  # type: ignore[attr-defined]
    except (AttributeError, OSError) as error:
        log.info("Bildschirm wach halten nicht möglich: %s", error)
        return False
    return bool(previous)


def _inhibit(application: str, reason: str):  # noqa: ANN202 - (connection, cookie) or None
    """Call ``Inhibit`` on the session bus; the connection stays open while the inhibit lasts.

    Screen savers tie an inhibit to the caller's bus connection, so a crash (connection gone)
    releases it too.
    """
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return None
    try:
        connection = open_dbus_connection(bus="SESSION")
    except (OSError, KeyError, ValueError) as error:  # no session bus (e.g. a console login)
        log.info("Kein Sitzungsbus, Bildschirm wird nicht wach gehalten: %s", error)
        return None
    address = DBusAddress(OBJECT_PATH, bus_name=SERVICE, interface=SERVICE)
    try:
        reply = connection.send_and_get_reply(new_method_call(address, "Inhibit", "ss", (application, reason)),
                                              timeout=3)
        cookie = int(reply.body[0])
    except Exception as error:  # noqa: BLE001 - no service, refused, timeout: present anyway
        log.info("Bildschirmschoner-Dienst nicht erreichbar: %s", error)
        connection.close()
        return None
    return connection, address, cookie


def _uninhibit(held) -> None:  # noqa: ANN001 - what _inhibit returned
    from jeepney import new_method_call

    connection, address, cookie = held
    try:
        connection.send_and_get_reply(new_method_call(address, "UnInhibit", "u", (cookie,)), timeout=3)
    except Exception as error:  # noqa: BLE001 - closing the connection releases it anyway
        log.info("Bildschirmschoner-Sperre nicht aufgehoben: %s", error)
    finally:
        connection.close()
