"""A printed label's QR code, read by a real decoder, leads to a working report."""
from __future__ import annotations

from urllib.parse import urlparse

import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from dispatch.catalog.labels import write_labels
from dispatch.jobs.models import Job
from tests.builders.dispatch import make_asset


def test_a_label_decodes_to_the_report_url_and_the_url_takes_a_report(tmp_path, session, client, database_url):
    assets = [make_asset(session) for _ in range(3)]
    session.commit()
    sheets = write_labels(assets, out_path=str(tmp_path / "labels.png"), public_base_url="https://service.example.com")
    assert sheets == 1
    decoded = {result.text for result in zxingcpp.read_barcodes(Image.open(tmp_path / "labels.png"))}
    assert decoded == {f"https://service.example.com/r/{a.qr_token}" for a in assets}

    path = urlparse(sorted(decoded)[0]).path
    page = client.get(path)
    assert page.status_code == 200
    form = page.get_data(as_text=True)
    csrf = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    submitted = client.post(path, data={"csrf_token": csrf, "fault_text": "Not cooling since this morning",
                                        "contact_name": "Li Lei", "contact_phone": "13812345678"})
    assert submitted.status_code == 303
    assert submitted.headers["Location"].startswith("/t/")
    assert client.get(submitted.headers["Location"]).status_code == 200
    assert session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_pdf_sheet_holds_every_label(tmp_path, session, database_url):
    assets = [make_asset(session) for _ in range(30)]
    session.commit()
    assert write_labels(assets, out_path=str(tmp_path / "labels.pdf"), public_base_url="https://x.example") == 2
    assert (tmp_path / "labels.pdf").read_bytes().startswith(b"%PDF")
