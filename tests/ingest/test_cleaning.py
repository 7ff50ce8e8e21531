"""Page furniture dropped with a record; one paragraph a line; HTML to text."""

from __future__ import annotations

from trucewatch.ingest.cleaning import clean
from trucewatch.ingest.html import html_to_text, looks_like_html
from trucewatch.ingest.transliteration import skeleton

PAGE = """Advertisement

Key opposition leaders decline talks with Russian PM

Lavrov, seen January 18, 2017, told lawmakers he had invited them
Lavrov, seen January 18, 2017, told lawmakers he had invited them
Share | Tweet | Email
Photo credit: AFP
The talks ended on Tuesday.
"""


def test_furniture_and_repeats_are_dropped_with_their_reasons() -> None:
    cleaned = clean(PAGE)
    assert [(d.line, d.reason) for d in cleaned.dropped] == [
        ("Advertisement", "page furniture ('advertisement')"),
        ("Lavrov, seen January 18, 2017, told lawmakers he had invited them",
         "repeated line (a caption or teaser printed again)"),
        ("Share | Tweet | Email", "share bar"), ("Photo credit: AFP", "picture credit")]
    assert [(p.text, p.headline) for p in cleaned.paragraphs] == [
        ("Key opposition leaders decline talks with Russian PM", True),
        ("Lavrov, seen January 18, 2017, told lawmakers he had invited them", True),
        ("The talks ended on Tuesday.", False)]
    for p in cleaned.paragraphs:
        assert PAGE[p.start:p.start + len(p.text)] == p.text
    for d in cleaned.dropped:
        assert PAGE[d.start:d.start + len(d.line)] == d.line


def test_html_keeps_the_story_and_leaves_the_chrome() -> None:
    page = ("<html><head><title>T</title><script>var x=1;</script></head><body>"
            "<nav>Home | World</nav><h1>Talks end</h1><p>Russia, Iran and Turkey "
            "<b>agreed</b> in Astana.</p><aside>Most read</aside><p>Advertisement</p></body></html>")
    assert looks_like_html(page) and not looks_like_html("Talks end.\nRussia agreed.")
    text = html_to_text(page)
    assert text == "Talks end\nRussia, Iran and Turkey agreed in Astana.\nAdvertisement\n"
    assert [p.text for p in clean(text).paragraphs] == [
        "Talks end", "Russia, Iran and Turkey agreed in Astana."]


def test_transliteration_variants_share_a_skeleton() -> None:
    for a, b in (("Riyad Hijab", "Riad Hijeb"), ("Riyad Naasan", "Riad Nassan"),
                 ("Ahmad Ramadan", "Ahmed Ramadhan"), ("Sergei Lavrov", "Sergey Lavrov"),
                 ("Khaled Khoja", "Khalid Khoja"), ("al-Nusra", "el-Nusra")):
        assert skeleton(a) == skeleton(b), (a, b)
    for a, b in (("Riyad Hijab", "Riyad Naasan"), ("Anas al-Abdah", "Ahmad Ramadan")):
        assert skeleton(a) != skeleton(b)
