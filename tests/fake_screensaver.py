"""A stand-in org.freedesktop.ScreenSaver on a test session bus (started by tests/test_keep_awake.py); logs every call."""
import sys
from jeepney import DBusAddress, HeaderFields, MessageType, new_method_return, new_error
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

log = open(sys.argv[1], "a", buffering=1)
conn = open_dbus_connection(bus="SESSION")
reply = conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.ScreenSaver"))
log.write(f"ready {reply.body}\n")
cookie = 41
while True:
    msg = conn.receive()
    if msg.header.message_type != MessageType.method_call:
        continue
    member = msg.header.fields.get(HeaderFields.member)
    signature = msg.header.fields.get(HeaderFields.signature, "")
    if member == "Inhibit" and signature == "ss":
        cookie += 1
        log.write(f"Inhibit {msg.body[0]}|{msg.body[1]} -> {cookie}\n")
        conn.send(new_method_return(msg, "u", (cookie,)))
    elif member == "UnInhibit" and signature == "u":
        log.write(f"UnInhibit {msg.body[0]}\n")
        conn.send(new_method_return(msg))
    elif member == "Introspect":
        xml = ('<node><interface name="org.freedesktop.ScreenSaver">'
               '<method name="Inhibit"><arg type="s" direction="in"/><arg type="s" direction="in"/>'
               '<arg type="u" direction="out"/></method>'
               '<method name="UnInhibit"><arg type="u" direction="in"/></method></interface></node>')
        conn.send(new_method_return(msg, "s", (xml,)))
    else:
        log.write(f"refused {member} {signature}\n")
        conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"{member} {signature}",)))
