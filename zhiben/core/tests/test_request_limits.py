"""入侵防范 at the edge: the audited client IP cannot be forged through X-Forwarded-For, oversized
requests are refused before they are read, and image decompression bombs are refused."""

import io
import struct
import warnings
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, SimpleTestCase, override_settings

from zhiben.audit.models import AuditEvent
from zhiben.core.evidence import read_upload, sniff, thumbnail
from zhiben.core.exceptions import ApplicationError
from zhiben.core.middleware import client_ip
from zhiben.testing import CastTestCase


def ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


class ClientIpTests(SimpleTestCase):
    @override_settings(TRUSTED_PROXIES=[], SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
    def test_without_trusted_proxies_the_header_is_ignored(self):
        # before: behind a proxy (SECURE_PROXY_SSL_HEADER set) the leftmost entry was taken as it came
        self.assertEqual(ip("203.0.113.9", "1.2.3.4"), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "127.0.0.1/32"])
    def test_a_client_cannot_choose_its_address_through_a_trusted_proxy(self):
        # the client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw
        self.assertEqual(ip("10.0.0.5", "1.2.3.4, 198.51.100.7"), "198.51.100.7")

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "127.0.0.1/32"])
    def test_rightmost_untrusted_through_a_chain_of_proxies(self):
        self.assertEqual(ip("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3"), "198.51.100.7")
        self.assertEqual(ip("127.0.0.1", "198.51.100.7:51234"), "198.51.100.7")

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_a_request_not_from_a_proxy_keeps_its_own_address(self):
        self.assertEqual(ip("198.51.100.7", "10.0.0.1"), "198.51.100.7")
        self.assertEqual(ip("198.51.100.7"), "198.51.100.7")

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_all_trusted_or_garbage(self):
        self.assertEqual(ip("10.0.0.5", "10.0.0.9"), "10.0.0.9")
        self.assertEqual(ip("10.0.0.5", "<script>, 10.0.0.9"), "10.0.0.9")
        self.assertEqual(ip("10.0.0.5", ""), "10.0.0.5")
        self.assertIsNone(ip("not-an-ip"))

    @override_settings(TRUSTED_PROXIES=["::1/128", "fd00::/8"])
    def test_ipv6(self):
        self.assertEqual(ip("::1", "2001:db8::1, fd00::2"), "2001:db8::1")
        self.assertEqual(ip("::1", "[2001:db8::5]:443"), "2001:db8::5")


class AuditedIpTests(CastTestCase):
    @override_settings(TRUSTED_PROXIES=["127.0.0.1"], SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
    def test_the_audit_row_holds_the_address_the_proxy_saw(self):
        self.login(self.aud).get(
            "/audit/", HTTP_X_FORWARDED_FOR="8.8.8.8, 198.51.100.7", HTTP_X_FORWARDED_PROTO="https"
        )
        event = AuditEvent.objects.filter(action="audit.view").latest("seq")
        self.assertEqual(event.ip, "198.51.100.7")


class RequestSizeTests(CastTestCase):
    @override_settings(REQUEST_MAX_BYTES=1024)
    def test_oversized_request_is_refused_with_413_in_chinese(self):
        self.login(self.alice)

        def body():
            return {"file": SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 4096)}

        response = self.client.post("/hazards/report/", body())
        self.assertEqual(response.status_code, 413)
        self.assertIn("提交的内容过大", response.content.decode())
        self.assertIn("不能超过", response.content.decode())
        response = self.client.post("/api/v1/hazards/", body())
        self.assertEqual(response.status_code, 413)
        self.assertIn("提交的内容过大", response.json()["detail"])

    @override_settings(REQUEST_MAX_BYTES=1024 * 1024)
    def test_requests_under_the_cap_go_through(self):
        response = self.login(self.alice).post("/hazards/report/", {"description": "x"})
        self.assertNotEqual(response.status_code, 413)

    def test_the_caps_are_configured(self):
        from django.conf import settings

        self.assertLessEqual(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, 20 * 1024 * 1024)
        self.assertLessEqual(settings.FILE_UPLOAD_MAX_MEMORY_SIZE, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        self.assertGreater(settings.REQUEST_MAX_BYTES, 0)
        self.assertIn("zhiben.core.middleware.RequestSizeLimitMiddleware", settings.MIDDLEWARE)
        self.assertLess(
            settings.MIDDLEWARE.index("zhiben.core.middleware.RequestSizeLimitMiddleware"),
            settings.MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware"),
        )


def png_declaring(width, height):
    """A valid PNG of a few hundred bytes whose header declares width × height pixels (1-bit grey):
    the IDAT stream is tiny, the decoded image would not be."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


class DecompressionBombTests(SimpleTestCase):
    def test_a_huge_declared_image_is_refused_in_chinese(self):
        data = png_declaring(100_000, 100_000)  # 10^10 pixels in a 100-byte file
        self.assertLess(len(data), 200)
        with self.assertRaises(ApplicationError) as caught:
            read_upload(SimpleUploadedFile("bomb.png", data), max_mb=15)
        self.assertIn("图片尺寸过大", caught.exception.message)
        self.assertIn("bomb.png", caught.exception.message)

    @override_settings(IMAGE_MAX_PIXELS=1_000_000)
    def test_above_the_limit_but_below_pillows_error_is_refused_too(self):
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that, then decodes anyway
        data = png_declaring(1500, 1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own warning (pytest shows every warning)
            with self.assertRaises(ApplicationError) as caught:
                sniff(data)
            self.assertIn("图片尺寸过大", caught.exception.message)
            with self.assertRaises(ApplicationError):
                thumbnail(data)

    def test_ordinary_photos_pass(self):
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (1200, 900), (10, 120, 30)).save(out, "JPEG")
        fields = read_upload(SimpleUploadedFile("photo.jpg", out.getvalue()), max_mb=15)
        self.assertEqual(fields["content_type"], "image/jpeg")
        self.assertIn("thumb", fields)
