"""Builders for document tests, on top of the fixed cast (zhiben.testing) and the hazard helpers."""

import subprocess
import tempfile
from pathlib import Path

from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import Status
from zhiben.hazards.tests.helpers import major, ready, report


def verified_hazard(case, **data):
    """A general hazard of enterprise_a (county A), verified and with its plan filled in."""
    return ready(report(case.gina, case.enterprise_a, **data), case.erin, status=Status.VERIFIED)


def listed_hazard(case):
    """A 重大 hazard of enterprise_a, verified and listed (挂牌督办) by alice's 安委办."""
    hazard = ready(major(case.gina, case.enterprise_a), case.erin, status=Status.VERIFIED)
    return hazard_services.hazard_list(actor=case.alice, hazard=hazard, note="区安委办挂牌督办")


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, check=True, text=True
        ).stdout


def pdf_fonts(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdffonts", f.name], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def read(field):
    with field.open("rb") as f:
        return f.read()


def to_png(pdf_path, out_prefix, dpi=60):
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf_path), str(out_prefix)], check=True)
    return sorted(Path(out_prefix).parent.glob(Path(out_prefix).name + "*.png"))
