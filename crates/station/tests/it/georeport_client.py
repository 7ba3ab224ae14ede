"""Drives a GridDesk station with the PyPI Open311 client `georeport` (GET calls, both formats)
and `requests` + `xmltodict` for what georeport lacks (POST requests, tokens).

usage: georeport_client.py BASE_URL API_KEY JURISDICTION LON LAT
Prints 'all checks passed' at the end; any failed check raises.
"""
import struct
import sys
import zlib

import requests
import xmltodict
from georeport import GeoReport

base, key, jurisdiction, lon, lat = sys.argv[1:6]


def png(w, h, rgb):
    """A small PNG of one colour."""
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def expect_status(call, status, what):
    try:
        call()
    except requests.HTTPError as e:
        check(e.response.status_code == status, f"{what}: HTTP {e.response.status_code}")
        return e.response
    raise AssertionError(f"{what}: no error")


clients = {fmt: GeoReport(base, jurisdiction=jurisdiction, output_format=fmt) for fmt in ("json", "xml")}

# Services and definitions, both formats.
for fmt, c in clients.items():
    services = c.get_service_list()
    codes = {s["service_code"] for s in services}
    check("event-0102" in codes and "component-0101" in codes, f"{fmt}: service list")
    s = next(s for s in services if s["service_code"] == "component-0101")
    check(str(s["metadata"]).lower() == "true" and s["type"] == "realtime", f"{fmt}: component metadata")
    d = c.get_service_definition("component-0101")
    attrs = d["attributes"] if fmt == "json" else d["attributes"]["attribute"]
    if isinstance(attrs, dict):
        attrs = [attrs]
    check(attrs[0]["code"] == "component_code", f"{fmt}: definition attribute")
    r = expect_status(lambda: c.get_service_definition("event-9999"), 404, f"{fmt}: unknown service")
    if fmt == "json":
        check(r.json()[0]["code"] == 404, "json: error list")
    else:
        check(xmltodict.parse(r.content)["errors"]["error"]["code"] == "404", "xml: error list")

# An empty jurisdiction is no jurisdiction; another is not found.
check(len(GeoReport(base, jurisdiction="").get_service_list()) > 0, "empty jurisdiction accepted")
expect_status(lambda: GeoReport(base, jurisdiction="999999").get_service_list(), 404, "unknown jurisdiction")

# POST: urlencoded JSON, multipart XML with a photo, and a retried request.
form = {"api_key": key, "jurisdiction_id": jurisdiction, "service_code": "event-0102",
        "lat": lat, "long": lon, "description": "垃圾满溢", "first_name": "Ming", "last_name": "He"}
r = requests.post(f"{base}/requests.json", data=form)
check(r.status_code == 200, f"POST json: {r.status_code} {r.text}")
first = r.json()[0]
check(first["service_request_id"] and first["token"], "POST json: id and token")

r = requests.post(f"{base}/requests.xml", data=dict(form, service_code="component-0101"),
                  files={"media": ("photo.png", png(32, 24, (200, 40, 40)), "image/png")})
check(r.status_code == 200, f"POST multipart xml: {r.status_code} {r.text}")
second = xmltodict.parse(r.content)["service_requests"]["request"]
check(second["service_request_id"] != first["service_request_id"], "POST xml: a new request")

headers = {"Idempotency-Key": "python-client-1"}
a = requests.post(f"{base}/requests.json", data=form, headers=headers).json()[0]
b = requests.post(f"{base}/requests.json", data=form, headers=headers).json()[0]
check(a["service_request_id"] == b["service_request_id"], "a retried request files one case")

r = requests.post(f"{base}/requests.json", data=dict(form, api_key="wrong"))
check(r.status_code == 403 and r.json()[0]["code"] == 403, "POST with a wrong key: 403")
r = requests.post(f"{base}/requests.xml", data=dict(form, lat="1.0", long="1.0"))
check(r.status_code == 400 and "1.000000" in xmltodict.parse(r.content)["errors"]["error"]["description"],
      "POST outside the district: 400 naming the place")
r = requests.post(f"{base}/requests.json", data=form,
                  files={"media": ("photo.png", b"GIF89a not really", "image/png")})
check(r.status_code == 400, "POST with a photo that is no image: 400")

# Tokens, both formats.
for fmt in ("json", "xml"):
    r = requests.get(f"{base}/tokens/{first['token']}.{fmt}")
    check(r.status_code == 200, f"token {fmt}")
    got = r.json()[0] if fmt == "json" else xmltodict.parse(r.content)["service_requests"]["request"]
    check(got["service_request_id"] == first["service_request_id"], f"token {fmt} resolves to the id")

# GET requests, the list and one, both formats, with filters.
for fmt, c in clients.items():
    everything = c.get_service_requests()
    if isinstance(everything, dict):
        everything = [everything]
    check(len(everything) == 3, f"{fmt}: three requests listed")
    one = c.get_service_request(first["service_request_id"])
    if fmt == "xml" and isinstance(one, list):
        one = one[0]
    check(one["status"] == "open" and one["service_code"] == "event-0102", f"{fmt}: one request")
    check("T" in one["requested_datetime"], f"{fmt}: ISO 8601 time")
    comp = c.get_service_requests(service_code="component-0101", status="open")
    if isinstance(comp, dict):
        comp = [comp]
    check(len(comp) == 1, f"{fmt}: filtered by service and status")
    none = requests.get(f"{base}/requests.{fmt}", params={"status": "closed"})
    check(none.status_code == 200, f"{fmt}: no closed requests")
    expect_status(lambda: c.get_service_request("2099-0000001"), 404, f"{fmt}: unknown request")

print("all checks passed")
