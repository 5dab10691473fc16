"""The 岗位应急处置卡 printed on A6 (105 × 148 mm) as PDF through WeasyPrint, with a QR code (segno, SVG)
that links to the card's stable URL: it always opens the card's current version."""

from django.template.loader import render_to_string

from zhiben.documents.render import CSS_FONTS, pdf_bytes


def qr_svg_data_uri(url):
    import segno

    svg = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return svg


def emergency_card_pdf(card, url):
    """PDF bytes of `card` (a CardVersion of kind emergency); `url` is the stable address of the current card."""
    html = render_to_string(
        "posts/card_print.html",
        {"card": card, "post": card.post, "qr": qr_svg_data_uri(url), "url": url, "font": CSS_FONTS["hei"]},
    )
    return pdf_bytes(html)
