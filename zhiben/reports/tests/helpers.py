"""Small builders for the reports tests (on top of the fixed cast in zhiben.testing): a proof-of-work solver,
images made in memory (one carrying EXIF GPS data), a submission with sensible defaults, a report forced
into a state, counts of every table a submission writes, and a raw-SQL scan for text kept in clear."""

import hashlib
import io
import json
import os
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from zhiben.audit.models import AuditEvent
from zhiben.core.models import Rule, SubjectEvent
from zhiben.hazards.models import Hazard
from zhiben.notifications.models import Notification
from zhiben.reports import services
from zhiben.reports.choices import CLOSED
from zhiben.reports.models import Attempt, Message, Photo, Report, Reward

NAME = "欧阳秀英"
PHONE = "13912345678"
DESCRIPTION = "工业路8号仓库后门堆放了二十多桶油漆稀释剂，旁边有人抽烟，已经好几天了。"
GPS = {1: "N", 2: (29.0, 33.0, 0.0), 3: "E", 4: (106.0, 27.0, 0.0)}


def leading_zero_bits(digest):
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def meets(challenge, counter, bits):
    return leading_zero_bits(hashlib.sha256(f"{challenge}:{counter}".encode()).digest()) >= bits


def challenge_bits(challenge):
    from django.core import signing

    return signing.loads(challenge, salt=services.POW_SALT)["b"]


def solve(challenge):
    """The first counter that solves `challenge` (what the browser's script does)."""
    bits = challenge_bits(challenge)
    counter = 0
    while not meets(challenge, counter, bits):
        counter += 1
    return str(counter)


def unsolved(challenge):
    """The first counter that does NOT solve `challenge`."""
    bits = challenge_bits(challenge)
    counter = 0
    while meets(challenge, counter, bits):
        counter += 1
    return str(counter)


def image_bytes(fmt="JPEG", *, gps=False, size=(40, 30), color=(200, 30, 30)):
    from PIL import ExifTags, Image

    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if gps:
        exif = image.getexif()
        exif[0x010F] = "TestMaker"  # Make
        exif[0x013B] = NAME  # Artist: the owner's name some phones write
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def jpeg(name="photo.jpg", *, gps=False):
    return SimpleUploadedFile(name, image_bytes("JPEG", gps=gps), content_type="image/jpeg")


def png(name="photo.png", *, gps=False):
    return SimpleUploadedFile(name, image_bytes("PNG", gps=gps), content_type="image/png")


def noise_png(name="big.png", side=700):
    """A PNG of random pixels: it does not compress, so it is about 1.4 MB."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name="scan.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", content_type="application/pdf"
    )


def fake_jpeg(name="photo.jpg"):
    return SimpleUploadedFile(name, "这其实是一段文字，不是照片。".encode() * 20, content_type="image/jpeg")


def set_rule(key, value, region_code=""):
    Rule.objects.update_or_create(key=key, region_code=region_code, defaults={"value": value})


def data(place, **extra):
    """The fields of an anonymous 危险化学品 report in region `place`, `extra` overriding them."""
    return {"category": "hazchem", "region": place.code, "description": DESCRIPTION, "anonymous": "1"} | extra


def named(place, **extra):
    return data(place, **({"anonymous": "0", "name": NAME, "phone": PHONE} | extra))


def submit(place, files=(), client=services.Client(), **extra):
    """report_submit with `data(place, **extra)`. Returns (report, secret)."""
    return services.report_submit(data=data(place, **extra), files=files, client=client)


def at_status(report, status):
    """Force `report` into `status` (for table-driven tests), closed states with a closing time."""
    from django.utils import timezone

    closed_at = timezone.now() if status in CLOSED else None
    Report.objects.filter(pk=report.pk).update(status=status, closed_at=closed_at)
    report.refresh_from_db()
    return report


COUNTED = (Report, Photo, Attempt, Message, Reward, AuditEvent, SubjectEvent, Notification, Hazard)


def counts():
    """Rows of every table a report's life writes to (to assert that a refusal wrote nothing)."""
    return {model.__name__: model.objects.count() for model in COUNTED}


def cells(table=None):
    """Every value of every row of `table` (or of every table), read with raw SQL, as text."""
    with connection.cursor() as cursor:
        tables = [table] if table else connection.introspection.table_names(cursor)
        for name in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "ignore")
                    yield name, "" if value is None else str(value)


def in_clear(*needles, table=None):
    """{(table, needle)} for each needle found in clear in the database (also as JSON's \\u escapes)."""
    forms = {n: {n, json.dumps(n)[1:-1]} for n in needles}
    return {
        (name, n) for name, text in cells(table) for n, variants in forms.items() if any(v in text for v in variants)
    }


HIDDEN = re.compile(r'name="(challenge|counter|enterprise_token|region)"[^>]*?value="([^"]*)"')


def hidden_fields(html):
    """The hidden inputs of the public form (Django renders value after name)."""
    return dict(HIDDEN.findall(html))
