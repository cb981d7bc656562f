"""HTML -> plain text with block structure kept as line breaks, plus the publication date.

Examples
--------
>>> html_to_text("<p>Đồng chí <b>Nguyễn Văn A</b> &amp; cộng sự</p><script>x()</script><p>Hết</p>")
'Đồng chí Nguyễn Văn A & cộng sự\\nHết'
>>> published_date("<meta property='article:published_time' content='2023-02-08T10:00:00+07:00'>")
'2023-02-08'
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser

_DROP = ["script", "style", "noscript", "template", "iframe", "svg", "head"]

#: Elements that start a new line in the text.
_BLOCKS = frozenset(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre "
    "section summary table tbody thead tfoot tr td th ul br title".split()
)

#: Meta tags that carry the publication date, most specific first.
_DATE_META = (
    ('meta[property="article:published_time"]', "content"),
    ('meta[name="article:published_time"]', "content"),
    ('meta[itemprop="datePublished"]', "content"),
    ('meta[name="pubdate"]', "content"),
    ('meta[name="publishdate"]', "content"),
    ('meta[name="date"]', "content"),
    ('meta[name="dc.date"]', "content"),
    ('meta[name="DC.date.issued"]', "content"),
    ("time[datetime]", "datetime"),
)

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML file declares in its first bytes, if any."""
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


#: class/id words of page furniture around an article: menus, related links, share bars.
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:menu|nav|navbar|breadcrumbs?|footer|top-?bar|banner|sidebar|related|lienquan|tin-?lien-?quan|"
    r"share|social|comments?|advert|ads|quang-?cao|search|widget|tags?)(?:$|[\s_-])",
    re.IGNORECASE,
)


_ARTICLE_LABEL = re.compile(r"(?:^|[\s_-])(?:article|detail|details|content|post|entry|story|news|main|chi-?tiet|noi-?dung)(?:$|[\s_-])", re.IGNORECASE)


def _label(node) -> str:
    if node.tag == "article":
        return "article"
    return f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"


def _paragraph_text(node) -> int:
    return sum(len(p.text(deep=True).strip()) for p in node.css("p"))


def _article_node(root):
    """The element that holds the article: descend from the page while one child holds most of
    the paragraph text (a readability-style heuristic; the whole page when there are no <p>)."""
    total = _paragraph_text(root)
    if total < 200:
        return root
    node = root
    while True:
        best = None
        child = node.child
        while child is not None:
            if child.tag not in ("-text", "-comment") and _paragraph_text(child) >= 0.8 * total:
                best = child
                break
            child = child.next
        if best is None:
            return node
        if _ARTICLE_LABEL.search(_label(node)) and not _ARTICLE_LABEL.search(_label(best)):
            return node  # <div class="article"> holds the headline and lead beside the body
        node = best


def _drop_furniture(root) -> None:
    for tag in ("nav", "footer", "aside", "form"):
        for node in root.css(tag):
            node.decompose()
    for node in root.css("[class], [id]"):
        if _FURNITURE.search(_label(node)) and node.tag not in ("body", "html", "article", "main"):
            node.decompose()


def html_to_text(html: str) -> str:
    """The visible text of ``html``'s article: one line per block, entities decoded, scripts,
    menus, related links and footers dropped; the page's <h1> headline kept on top."""
    tree = HTMLParser(html)
    tree.strip_tags(_DROP)
    body = tree.body or tree.root
    if body is None:
        return ""
    _drop_furniture(body)
    root = _article_node(body)
    text = _text_of(root)
    if root is not body:
        h1 = body.css_first("h1")
        headline = " ".join(h1.text(deep=True).split()) if h1 is not None else ""
        if headline and headline not in text:
            text = headline + "\n" + text
    if not text and tree.head is not None:
        title = tree.css_first("title")
        if title is not None:
            text = " ".join(title.text().split())
    return text


def _text_of(root) -> str:
    parts: list[str] = []
    # Iterative walk (deeply nested broken markup must not hit the recursion limit).
    stack = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            parts.append("\n")
            continue
        if tag == "-text":
            # Line breaks in HTML source are spaces; only blocks and <br> break lines.
            parts.append((node.text_content or "").replace("\n", " ").replace("\r", " "))
            continue
        if tag in ("-comment", "!doctype"):
            continue
        block = tag in _BLOCKS
        if block:
            parts.append("\n")
            stack.append((node, True))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, False) for c in reversed(children))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def published_date(html: str) -> str | None:
    """ISO date (YYYY-MM-DD) from the page's publication meta tags, or None."""
    tree = HTMLParser(html)
    for selector, attr in _DATE_META:
        for node in tree.css(selector):
            value = (node.attributes.get(attr) or "").strip()
            date = iso_date(value)
            if date:
                return date
    return None


def iso_date(value: str) -> str | None:
    m = _ISO.search(value)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DMY.search(value)
        if not m:
            return None
        d, mo, y = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1900 <= y <= 2100):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"
