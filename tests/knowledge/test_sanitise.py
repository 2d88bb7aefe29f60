"""Article bodies are sanitised on save: allow-listed tags only."""

from yichuang.knowledge.models import ArticleVersion
from yichuang.knowledge.sanitise import sanitise_html


def test_it_drops_scripts_and_event_attributes():
    out = sanitise_html('<p onclick="steal()">办理<script>alert(1)</script>须知</p>')
    assert out == "<p>办理须知</p>"


def test_it_drops_unknown_tags_but_keeps_their_text():
    out = sanitise_html('<div><img src=x onerror="alert(1)">身份证<font>原件</font></div>')
    assert out == "身份证原件"


def test_it_keeps_allowed_tags_and_safe_links():
    out = sanitise_html('<ul><li><a href="https://www.gov.cn/" style="x">国务院</a></li></ul>')
    link = '<a href="https://www.gov.cn/" rel="noopener noreferrer">国务院</a>'
    assert out == f"<ul><li>{link}</li></ul>"


def test_it_drops_javascript_links():
    assert sanitise_html('<a href=" JavaScript:alert(1)">点此</a>') == (
        '<a rel="noopener noreferrer">点此</a>'
    )


def test_it_escapes_text_and_closes_open_tags():
    assert sanitise_html("<p><b>1 < 2 & 3") == "<p><b>1 &lt; 2 &amp; 3</b></p>"


def test_it_drops_style_and_iframe_with_their_content():
    assert sanitise_html("<style>p{color:red}</style><iframe>x</iframe>正文") == "正文"


def test_an_article_body_is_stored_sanitised(publish):
    body = '<p onmouseover="x()">带身份证</p><script>1</script>'
    article = publish("faq", "社保卡怎么补办", body)
    version = ArticleVersion.objects.get(article=article)
    assert version.body == "<p>带身份证</p>"
